package protocol

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Paths of the customer-facing portal configuration API.
const (
	// PathClientConfig answers a customer token with its session's
	// [CustomerClientConfig] snapshot (GET), for a client that reconnects.
	PathClientConfig = "/api/v1/client-config"
	// PathWaitStatus answers a customer token with its [WaitStatus] (GET).
	PathWaitStatus = "/api/v1/wait-status"
	// PathBanners + SHA-256 hex serves a chat window banner (GET, any
	// bearer token); banners are content-addressed and never change.
	PathBanners = "/api/v1/banners/"
	// PathCanned lists the canned chat messages of the calling rep's teams (GET).
	PathCanned = "/api/v1/canned"
)

// Limits of the customer client configuration.
const (
	// MaxMessageRunes is the longest configurable customer message.
	MaxMessageRunes = 4000
	// MaxLanguages is the most languages a portal may configure.
	MaxLanguages = 32
	// MaxAgreementTimeoutSeconds bounds the agreement's acceptance timeout.
	MaxAgreementTimeoutSeconds = 3600
	// MaxOnHoldIntervalSeconds bounds the on-hold message interval.
	MaxOnHoldIntervalSeconds = 3600
	// MinOnHoldIntervalSeconds is the shortest on-hold message interval.
	MinOnHoldIntervalSeconds = 10
	// MaxEstimatedWaitMinutes bounds the maximum estimated wait shown.
	MaxEstimatedWaitMinutes = 24 * 60
	// MaxReconnectSeconds bounds how long a disconnected client retries.
	MaxReconnectSeconds = 3600
	// MaxExternalSpecialists is the most external specialists a rep may invite.
	MaxExternalSpecialists = 5
	// MaxURLBytes is the longest configurable URL.
	MaxURLBytes = 2048
	// MaxClientConfigBytes bounds a configuration's JSON, so that a join
	// response carrying it stays under MaxFrameBytes, which clients read.
	MaxClientConfigBytes = 48 << 10
)

// DefaultLanguage is the language every configuration has and that
// clients fall back to.
const DefaultLanguage = "en"

// CustomerClientConfig is the customer client's configuration of one
// portal (public site), as snapshotted into a session when it starts and
// sent to the customer in [JoinResponse]. Running sessions keep the
// snapshot they started with; later edits apply to new sessions only.
//
// The client shows the texts, applies the display and connection options
// and enforces the functions and the session policy itself: a compromised
// server cannot widen what the snapshot grants.
type CustomerClientConfig struct {
	// Portal is the ID of the portal the snapshot was taken from; empty for
	// the built-in defaults.
	Portal string `json:"portal,omitempty"`
	// Hostname is the public site's host name, shown in the title bar when
	// Display.HostnameInTitle is set.
	Hostname string `json:"hostname,omitempty"`

	// Messages holds the customer-facing texts per language ("en", "de",
	// ...). [DefaultLanguage] is always present; a client shows the
	// customer's language when present, else English.
	Messages map[string]Messages `json:"messages"`

	Display    Display    `json:"display"`
	Agreement  Agreement  `json:"agreement"`
	Queue      QueueNotes `json:"queue"`
	Orphan     Orphan     `json:"orphan"`
	Banner     Banner     `json:"banner"`
	Policy     Policy     `json:"policy"`
	Logging    Logging    `json:"logging"`
	Connection Connection `json:"connection"`
	Misc       Misc       `json:"misc"`
	Functions  Functions  `json:"functions"`
}

// Messages are the customer-facing texts of one language. Saving an empty
// text restores the default.
type Messages struct {
	// Greeting appears in the chat window once the session is in a queue.
	// It may contain %POSITION_IN_QUEUE% and %ESTIMATED_WAIT_TIME%.
	Greeting string `json:"greeting"`
	// OnHold repeats every QueueNotes.OnHoldIntervalSeconds until a rep
	// accepts; same macros as Greeting.
	OnHold string `json:"on_hold"`
	// Agreement is the customer agreement of the full client.
	Agreement string `json:"agreement"`
	// ChatAgreement is the customer agreement of click-to-chat sessions.
	ChatAgreement string `json:"chat_agreement"`
	// RecordingPrompt asks the customer to allow recordings.
	RecordingPrompt string `json:"recording_prompt"`
	// ElevationPrompt is shown when a click-to-chat session is elevated to
	// the full client.
	ElevationPrompt string `json:"elevation_prompt"`
	// Orphaned is shown when no representative is available (or the portal
	// is outside its business hours).
	Orphaned string `json:"orphaned"`
	// PostSession is shown when the session ends and the client removes itself.
	PostSession string `json:"post_session"`
}

// PromptStyle is how the customer client shows prompts.
type PromptStyle int

// Prompt styles.
const (
	PromptUnknown PromptStyle = iota
	// PromptTextLink shows prompts as text links in the chat window.
	PromptTextLink
	// PromptPopup shows prompts as pop-ups above the chat window (not for
	// mobile clients or click-to-chat).
	PromptPopup
)

// ChatStart is how the chat area starts.
type ChatStart int

// Chat start modes.
const (
	ChatStartUnknown ChatStart = iota
	// ChatStartExpanded starts with the chat area expanded.
	ChatStartExpanded
	// ChatStartMinimized starts with the chat area minimized.
	ChatStartMinimized
)

// Termination is what the client does to the customer's computer when the
// session ends or cannot reconnect.
type Termination int

// Termination behaviours.
const (
	TerminationUnknown Termination = iota
	// TerminationNothing leaves the computer as it is.
	TerminationNothing
	// TerminationLock locks the computer.
	TerminationLock
	// TerminationLogOff logs the user off.
	TerminationLogOff
)

// Elevation is whether the client tries to run with administrative rights.
type Elevation int

// Automatic elevation modes.
const (
	ElevationUnknown Elevation = iota
	// ElevationNever: only when the rep expressly asks.
	ElevationNever
	// ElevationNoPrompt: only when it needs no prompt to the customer.
	ElevationNoPrompt
	// ElevationAlways: always; the customer may be prompted.
	ElevationAlways
)

// Control is how much of the customer's screen a session may use.
type Control int

// Control levels.
const (
	ControlUnknown Control = iota
	// ControlNone: no screen sharing.
	ControlNone
	// ControlView: the rep sees the screen.
	ControlView
	// ControlFull: the rep sees and controls the screen.
	ControlFull
)

var (
	promptStyleNames = []string{"unknown", "text_link", "popup"}
	chatStartNames   = []string{"unknown", "expanded", "minimized"}
	terminationNames = []string{"unknown", "nothing", "lock", "logoff"}
	elevationNames   = []string{"unknown", "never", "no_prompt", "always"}
	controlNames     = []string{"unknown", "none", "view", "full"}
)

// enumString names v, or "Kind(v)" when out of range.
func enumString(names []string, kind string, v int) string {
	if v < 0 || v >= len(names) {
		return fmt.Sprintf("%s(%d)", kind, v)
	}
	return names[v]
}

// enumMarshal encodes a known, non-zero enum value.
func enumMarshal(names []string, kind string, v int) ([]byte, error) {
	if v <= 0 || v >= len(names) {
		return nil, fmt.Errorf("%w: %s %d not known", ErrBadData, kind, v)
	}
	return []byte(names[v]), nil
}

// enumParse decodes a name other than "unknown".
func enumParse(names []string, kind string, b []byte) (int, error) {
	for i, n := range names {
		if i > 0 && n == string(b) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: %s %q not known (one of %s)", ErrBadData, kind, b, strings.Join(names[1:], ", "))
}

func (p PromptStyle) String() string { return enumString(promptStyleNames, "PromptStyle", int(p)) }

// MarshalText implements encoding.TextMarshaler.
func (p PromptStyle) MarshalText() ([]byte, error) {
	return enumMarshal(promptStyleNames, "prompt style", int(p))
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *PromptStyle) UnmarshalText(b []byte) error {
	i, err := enumParse(promptStyleNames, "prompt style", b)
	*p = PromptStyle(i)
	return err
}

func (c ChatStart) String() string { return enumString(chatStartNames, "ChatStart", int(c)) }

// MarshalText implements encoding.TextMarshaler.
func (c ChatStart) MarshalText() ([]byte, error) {
	return enumMarshal(chatStartNames, "chat start", int(c))
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *ChatStart) UnmarshalText(b []byte) error {
	i, err := enumParse(chatStartNames, "chat start", b)
	*c = ChatStart(i)
	return err
}

func (t Termination) String() string { return enumString(terminationNames, "Termination", int(t)) }

// MarshalText implements encoding.TextMarshaler.
func (t Termination) MarshalText() ([]byte, error) {
	return enumMarshal(terminationNames, "termination", int(t))
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *Termination) UnmarshalText(b []byte) error {
	i, err := enumParse(terminationNames, "termination", b)
	*t = Termination(i)
	return err
}

func (e Elevation) String() string { return enumString(elevationNames, "Elevation", int(e)) }

// MarshalText implements encoding.TextMarshaler.
func (e Elevation) MarshalText() ([]byte, error) {
	return enumMarshal(elevationNames, "elevation", int(e))
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (e *Elevation) UnmarshalText(b []byte) error {
	i, err := enumParse(elevationNames, "elevation", b)
	*e = Elevation(i)
	return err
}

func (c Control) String() string { return enumString(controlNames, "Control", int(c)) }

// MarshalText implements encoding.TextMarshaler.
func (c Control) MarshalText() ([]byte, error) { return enumMarshal(controlNames, "control", int(c)) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Control) UnmarshalText(b []byte) error {
	i, err := enumParse(controlNames, "control", b)
	*c = Control(i)
	return err
}

// Display is how the customer client looks and starts.
type Display struct {
	PromptStyle PromptStyle `json:"prompt_style"`
	ChatStart   ChatStart   `json:"chat_start"`
	// StartMinimizedNoFocus starts the client minimized without taking
	// focus (attended sessions started by the rep).
	StartMinimizedNoFocus bool `json:"start_minimized_no_focus"`
	// HostnameInTitle shows the public site's host name in the title bar.
	HostnameInTitle bool `json:"hostname_in_title"`
	// SupportedIndicator shows a semi-transparent "being supported"
	// message on the customer's screen.
	SupportedIndicator bool `json:"supported_indicator"`
	// Notices shows customer notices until the session is accepted.
	Notices bool `json:"notices"`
}

// Agreement is the customer agreement the customer must accept before the
// session starts; not accepting within the timeout ends the session.
type Agreement struct {
	// Full requires Messages.Agreement in full client sessions.
	Full bool `json:"full"`
	// Chat requires Messages.ChatAgreement in click-to-chat sessions.
	Chat bool `json:"chat"`
	// TimeoutSeconds is the acceptance timeout (1..MaxAgreementTimeoutSeconds).
	TimeoutSeconds int `json:"timeout_seconds"`
	// RecordingPrompt asks the customer (Messages.RecordingPrompt) before
	// full client sessions whether recordings are allowed; a refusal turns
	// off screen and shell recording and system information logging.
	RecordingPrompt bool `json:"recording_prompt"`
}

// QueueNotes are the greeting and on-hold messages of a waiting customer.
type QueueNotes struct {
	// Greeting shows Messages.Greeting once the session is in a queue.
	Greeting bool `json:"greeting"`
	// OnHold repeats Messages.OnHold every OnHoldIntervalSeconds.
	OnHold bool `json:"on_hold"`
	// OnHoldIntervalSeconds is the time between on-hold messages.
	OnHoldIntervalSeconds int `json:"on_hold_interval_seconds"`
	// MaxEstimatedWaitMinutes caps the estimated wait shown ("more than x
	// minutes"); 0 means no cap.
	MaxEstimatedWaitMinutes int `json:"max_estimated_wait_minutes"`
}

// Orphan is what happens when no representative is available.
type Orphan struct {
	// Message shows Messages.Orphaned.
	Message bool `json:"message"`
	// URL, when set, is opened in the customer's browser (https only).
	URL string `json:"url,omitempty"`
}

// Banner is the chat window banner: an 8-bit BMP 480 px wide, served
// content-addressed at PathBanners + SHA256. An empty SHA256 means the
// built-in default banner.
type Banner struct {
	// SHA256 is the lowercase hex SHA-256 of the BMP file.
	SHA256 string `json:"sha256,omitempty"`
	// URL is where to fetch it (absolute, or a path on the server).
	URL string `json:"url,omitempty"`
}

// Policy is the session policy: what a session through the portal may do.
type Policy struct {
	// Name labels the policy for admins.
	Name string `json:"name,omitempty"`
	// Control is the most screen access a rep may ask for.
	Control Control `json:"control"`
	// Prompt asks the customer before each permission is used.
	Prompt bool `json:"prompt"`
	// Shell allows a command shell.
	Shell bool `json:"shell"`
	// SystemInfo allows reading system information.
	SystemInfo bool `json:"system_info"`
	// Clipboard allows clipboard synchronisation.
	Clipboard bool `json:"clipboard"`
	// Elevation allows the rep to request elevation.
	Elevation bool `json:"elevation"`
}

// Logging is what the session records. The snapshot holds the effective
// values (the portal's or the site-wide default); a customer's refusal at
// the recording prompt turns all three off.
type Logging struct {
	RecordScreen bool `json:"record_screen"`
	RecordShell  bool `json:"record_shell"`
	SystemInfo   bool `json:"system_info"`
}

// Connection is how the client behaves when the connection drops and at
// the end.
type Connection struct {
	// ReconnectSeconds is how long a disconnected client tries to reconnect
	// (1..MaxReconnectSeconds); then Termination applies.
	ReconnectSeconds int `json:"reconnect_seconds"`
	// InputLockout disables the customer's mouse and keyboard while the
	// connection is lost, until it is restored or the session ends.
	InputLockout bool `json:"input_lockout"`
	// Termination applies at the session's end.
	Termination Termination `json:"termination"`
	// RepOverride lets the rep change Termination during the session.
	RepOverride bool `json:"rep_override"`
}

// Misc are the miscellaneous options of seed 000.
type Misc struct {
	Elevation Elevation `json:"elevation"`
	// LimitApplications lets the customer choose which applications are shared.
	LimitApplications bool `json:"limit_applications"`
	// CustomerFileOffers lets the customer offer files in chat.
	CustomerFileOffers bool `json:"customer_file_offers"`
	// CtrlAltDelOverride lets the rep override a disabled Secure Attention
	// Sequence policy to send Ctrl-Alt-Del.
	CtrlAltDelOverride bool `json:"ctrl_alt_del_override"`
	// HardwareAccelerationDetect lets the client turn off hardware
	// acceleration during screen sharing when the video driver is too slow.
	HardwareAccelerationDetect bool `json:"hardware_acceleration_detect"`
}

// Functions are the per-portal functions (seed 002), enforced by the
// server and the clients.
type Functions struct {
	CustomerScreenSharing bool `json:"customer_screen_sharing"`
	RepScreenSharing      bool `json:"rep_screen_sharing"`
	RecordCustomerScreen  bool `json:"record_customer_screen"`
	RecordRepScreen       bool `json:"record_rep_screen"`
	// SendFiles lets reps send files to customers.
	SendFiles bool `json:"send_files"`
	// ReceiveFiles lets customers send files to reps.
	ReceiveFiles   bool `json:"receive_files"`
	RunAsService   bool `json:"run_as_service"`
	StartAsService bool `json:"start_as_service"`
	// UninstallServiceAtEnd removes the service components at the end.
	UninstallServiceAtEnd bool `json:"uninstall_service_at_end"`
	// SoundOnChat plays a sound at the customer for each rep chat message.
	SoundOnChat bool `json:"sound_on_chat"`
	Annotations bool `json:"annotations"`
	// MaxExternalSpecialists is how many external specialists a rep may
	// invite (0..MaxExternalSpecialists; 0 disables invitations).
	MaxExternalSpecialists int `json:"max_external_specialists"`
}

// WaitStatus is a waiting customer's place in its queue, answered at
// PathWaitStatus.
type WaitStatus struct {
	// State is the session's state; the rest matters only while waiting.
	State SessionState `json:"state"`
	// Position is 1 for the next session a rep gets.
	Position int `json:"position,omitempty"`
	// EstimatedWaitSeconds is set when Estimated.
	EstimatedWaitSeconds int  `json:"estimated_wait_seconds,omitempty"`
	Estimated            bool `json:"estimated"`
	// OverMax: the estimate exceeded the portal's maximum, shown as "more than".
	OverMax bool `json:"over_max,omitempty"`
	// Greeting is the greeting with its macros expanded in the requested
	// language, shown once when the session enters the queue ("" when the
	// portal shows none).
	Greeting string `json:"greeting,omitempty"`
	// Message is the on-hold message with its macros expanded in the
	// requested language, shown every Queue.OnHoldIntervalSeconds ("" when
	// the portal shows none).
	Message string `json:"message,omitempty"`
	// Notices are the active customer notices of the portal (when enabled).
	Notices []Notice `json:"notices"`
}

// Notice is a customer notice: a known problem customers see while waiting.
type Notice struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	// Expires is when the notice stops showing (RFC 3339).
	Expires string `json:"expires"`
}

// CannedMessage is a prepared chat text of a team.
type CannedMessage struct {
	ID     string `json:"id"`
	TeamID string `json:"team_id"`
	Team   string `json:"team"`
	Title  string `json:"title"`
	Text   string `json:"text"`
}

// langRE is a language tag: "en", "de", "pt-BR", "zh-Hant".
var langRE = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)

// ValidLanguage reports whether s is a language tag this package accepts.
func ValidLanguage(s string) bool { return langRE.MatchString(s) }

// Validate checks every field; the error wraps [ErrBadData] and names the
// first bad field by its JSON path.
func (c CustomerClientConfig) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrBadData}, a...)...)
	}
	if len(c.Messages) == 0 {
		return bad("messages: none configured")
	}
	if _, ok := c.Messages[DefaultLanguage]; !ok {
		return bad("messages: the %q messages are required", DefaultLanguage)
	}
	if len(c.Messages) > MaxLanguages {
		return bad("messages: %d languages; at most %d", len(c.Messages), MaxLanguages)
	}
	langs := make([]string, 0, len(c.Messages))
	for l := range c.Messages {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		if !ValidLanguage(l) {
			return bad("messages: %q is not a language tag such as \"en\" or \"pt-BR\"", l)
		}
		if err := c.Messages[l].Validate("messages." + l); err != nil {
			return err
		}
	}
	if err := ValidateText("hostname", c.Hostname, 253, false); err != nil {
		return err
	}
	if _, err := enumMarshal(promptStyleNames, "display.prompt_style", int(c.Display.PromptStyle)); err != nil {
		return err
	}
	if _, err := enumMarshal(chatStartNames, "display.chat_start", int(c.Display.ChatStart)); err != nil {
		return err
	}
	if t := c.Agreement.TimeoutSeconds; t < 1 || t > MaxAgreementTimeoutSeconds {
		return bad("agreement.timeout_seconds %d not in 1..%d", t, MaxAgreementTimeoutSeconds)
	}
	if i := c.Queue.OnHoldIntervalSeconds; i < MinOnHoldIntervalSeconds || i > MaxOnHoldIntervalSeconds {
		return bad("queue.on_hold_interval_seconds %d not in %d..%d", i, MinOnHoldIntervalSeconds, MaxOnHoldIntervalSeconds)
	}
	if m := c.Queue.MaxEstimatedWaitMinutes; m < 0 || m > MaxEstimatedWaitMinutes {
		return bad("queue.max_estimated_wait_minutes %d not in 0..%d", m, MaxEstimatedWaitMinutes)
	}
	if c.Orphan.URL != "" {
		if err := validateHTTPSURL(c.Orphan.URL); err != nil {
			return bad("orphan.url: %v", err)
		}
	}
	if h := c.Banner.SHA256; h != "" && !sha256RE.MatchString(h) {
		return bad("banner.sha256 %q is not 64 lowercase hex digits", h)
	}
	if len(c.Banner.URL) > MaxURLBytes {
		return bad("banner.url is over %d bytes", MaxURLBytes)
	}
	if err := ValidateText("policy.name", c.Policy.Name, MaxNameRunes, false); err != nil {
		return err
	}
	if _, err := enumMarshal(controlNames, "policy.control", int(c.Policy.Control)); err != nil {
		return err
	}
	if r := c.Connection.ReconnectSeconds; r < 1 || r > MaxReconnectSeconds {
		return bad("connection.reconnect_seconds %d not in 1..%d", r, MaxReconnectSeconds)
	}
	if _, err := enumMarshal(terminationNames, "connection.termination", int(c.Connection.Termination)); err != nil {
		return err
	}
	if _, err := enumMarshal(elevationNames, "misc.elevation", int(c.Misc.Elevation)); err != nil {
		return err
	}
	if err := c.Functions.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadData, err)
	}
	if len(b) > MaxClientConfigBytes {
		return bad("the configuration is %d bytes of JSON; at most %d: shorten messages or drop languages", len(b), MaxClientConfigBytes)
	}
	return nil
}

// Validate checks the texts of one language; field prefixes the field
// names in the error.
func (m Messages) Validate(field string) error {
	for _, f := range []struct{ name, v string }{
		{"greeting", m.Greeting}, {"on_hold", m.OnHold}, {"agreement", m.Agreement},
		{"chat_agreement", m.ChatAgreement}, {"recording_prompt", m.RecordingPrompt},
		{"elevation_prompt", m.ElevationPrompt}, {"orphaned", m.Orphaned}, {"post_session", m.PostSession},
	} {
		if err := ValidateText(field+"."+f.name, f.v, MaxMessageRunes, false); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the functions.
func (f Functions) Validate() error {
	if n := f.MaxExternalSpecialists; n < 0 || n > MaxExternalSpecialists {
		return fmt.Errorf("%w: functions.max_external_specialists %d not in 0..%d", ErrBadData, n, MaxExternalSpecialists)
	}
	if f.UninstallServiceAtEnd && !f.RunAsService && !f.StartAsService {
		return fmt.Errorf("%w: functions.uninstall_service_at_end needs run_as_service or start_as_service", ErrBadData)
	}
	return nil
}

var sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// validateHTTPSURL checks an absolute https URL with a host.
func validateHTTPSURL(s string) error {
	if len(s) > MaxURLBytes {
		return fmt.Errorf("over %d bytes", MaxURLBytes)
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q does not parse", s)
	}
	if u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%q is not an absolute https:// URL", s)
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return fmt.Errorf("%q contains white space", s)
	}
	return nil
}

// DefaultMessages returns the built-in texts of lang ("en" or "de"); any
// other language gets the English texts and ok false.
func DefaultMessages(lang string) (m Messages, ok bool) {
	m, ok = defaultMessages[lang]
	if !ok {
		m = defaultMessages[DefaultLanguage]
	}
	return m, ok
}

// WithDefaults returns m with every empty (blank) text replaced by lang's
// default: saving an empty message restores the default text.
func (m Messages) WithDefaults(lang string) Messages {
	d, _ := DefaultMessages(lang)
	fill := func(v *string, def string) {
		if strings.TrimSpace(*v) == "" {
			*v = def
		}
	}
	fill(&m.Greeting, d.Greeting)
	fill(&m.OnHold, d.OnHold)
	fill(&m.Agreement, d.Agreement)
	fill(&m.ChatAgreement, d.ChatAgreement)
	fill(&m.RecordingPrompt, d.RecordingPrompt)
	fill(&m.ElevationPrompt, d.ElevationPrompt)
	fill(&m.Orphaned, d.Orphaned)
	fill(&m.PostSession, d.PostSession)
	return m
}

// MessagesFor returns the texts for lang, falling back to [DefaultLanguage].
func (c CustomerClientConfig) MessagesFor(lang string) Messages {
	if m, ok := c.Messages[lang]; ok {
		return m
	}
	if m, ok := c.Messages[DefaultLanguage]; ok {
		return m
	}
	d, _ := DefaultMessages(lang)
	return d
}

var defaultMessages = map[string]Messages{
	"en": {
		Greeting: "Thank you for contacting support. A representative will be with you shortly. " +
			"%POSITION_IN_QUEUE% %ESTIMATED_WAIT_TIME%",
		OnHold: "Thank you for waiting. %POSITION_IN_QUEUE% %ESTIMATED_WAIT_TIME%",
		Agreement: "By accepting, you allow the support representative to view your screen and, " +
			"with your permission, to control your computer for this support session. " +
			"You can end the session at any time.",
		ChatAgreement:   "By accepting, you agree to chat with a support representative. The chat may be logged.",
		RecordingPrompt: "This support session may be recorded. Do you allow recording of screen sharing, command shell sessions and system information?",
		ElevationPrompt: "To let the representative see your screen, a small support application must run on your computer. " +
			"It adds screen sharing and file transfer to this chat. Do you want to continue?",
		Orphaned:    "No representative is available right now. Please try again later.",
		PostSession: "Your support session has ended. The support software has been removed from your computer.",
	},
	"de": {
		Greeting: "Vielen Dank, dass Sie sich an den Support wenden. Ein Mitarbeiter ist gleich für Sie da. " +
			"%POSITION_IN_QUEUE% %ESTIMATED_WAIT_TIME%",
		OnHold: "Vielen Dank für Ihre Geduld. %POSITION_IN_QUEUE% %ESTIMATED_WAIT_TIME%",
		Agreement: "Mit Ihrer Zustimmung darf der Support-Mitarbeiter Ihren Bildschirm sehen und, " +
			"mit Ihrer Erlaubnis, Ihren Computer in dieser Sitzung steuern. " +
			"Sie können die Sitzung jederzeit beenden.",
		ChatAgreement:   "Mit Ihrer Zustimmung chatten Sie mit einem Support-Mitarbeiter. Der Chat kann protokolliert werden.",
		RecordingPrompt: "Diese Support-Sitzung kann aufgezeichnet werden. Erlauben Sie die Aufzeichnung von Bildschirmfreigabe, Kommandozeilen-Sitzungen und Systeminformationen?",
		ElevationPrompt: "Damit der Mitarbeiter Ihren Bildschirm sehen kann, muss ein kleines Support-Programm auf Ihrem Computer laufen. " +
			"Es ergänzt diesen Chat um Bildschirmfreigabe und Dateiübertragung. Möchten Sie fortfahren?",
		Orphaned:    "Zurzeit ist kein Mitarbeiter verfügbar. Bitte versuchen Sie es später erneut.",
		PostSession: "Ihre Support-Sitzung ist beendet. Die Support-Software wurde von Ihrem Computer entfernt.",
	},
}

// DefaultCustomerClientConfig returns the built-in configuration: English
// and German texts, prompts as text links, chat expanded, agreement off
// with a 2-minute timeout, greeting and on-hold messages every 60 s capped
// at 30 minutes, full control with prompting, no recording, 2 minutes to
// reconnect with input lockout, nothing done at the end, elevation only
// without a prompt, and the customer's screen sharing, file transfer both
// ways, sound on chat and annotations on.
func DefaultCustomerClientConfig() CustomerClientConfig {
	en, _ := DefaultMessages("en")
	de, _ := DefaultMessages("de")
	return CustomerClientConfig{
		Messages: map[string]Messages{"en": en, "de": de},
		Display: Display{
			PromptStyle: PromptTextLink, ChatStart: ChatStartExpanded,
			HostnameInTitle: true, SupportedIndicator: true, Notices: true,
		},
		Agreement:  Agreement{TimeoutSeconds: 120},
		Queue:      QueueNotes{Greeting: true, OnHold: true, OnHoldIntervalSeconds: 60, MaxEstimatedWaitMinutes: 30},
		Orphan:     Orphan{Message: true},
		Policy:     Policy{Name: "Default", Control: ControlFull, Prompt: true, SystemInfo: true, Clipboard: true},
		Connection: Connection{ReconnectSeconds: 120, InputLockout: true, Termination: TerminationNothing},
		Misc:       Misc{Elevation: ElevationNoPrompt, CustomerFileOffers: true, HardwareAccelerationDetect: true},
		Functions: Functions{
			CustomerScreenSharing: true, SendFiles: true, ReceiveFiles: true,
			SoundOnChat: true, Annotations: true, MaxExternalSpecialists: MaxExternalSpecialists,
		},
	}
}

// PathPortals + slug answers a portal's public [PublicPortal] (GET);
// PathPortals + slug + "/requests" takes a customer's [PortalRequest]
// (POST) and answers a [JoinResponse].
const PathPortals = "/api/v1/portals/"

// CodeClosed refuses a portal request outside the portal's business
// hours, or when no team serves it: the message is the portal's orphaned
// session message.
const CodeClosed ErrorCode = "closed"

// PublicPortal is what a customer's browser or client needs to show a portal.
type PublicPortal struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	// Type is "smartbutton", "smartbox", "smartmatch", "smartpin" or "codepage".
	Type    string `json:"type"`
	WebChat bool   `json:"web_chat"`
	// Open: the portal takes requests now (business hours, holidays, teams).
	Open bool `json:"open"`
	// Orphaned and OrphanURL are shown when it is not open.
	Orphaned  string `json:"orphaned,omitempty"`
	OrphanURL string `json:"orphan_url,omitempty"`
	// Reps are the representatives a SmartMatch customer may pick.
	Reps []PortalRep `json:"reps,omitempty"`
}

// PortalRep is a representative as a SmartMatch portal lists them.
type PortalRep struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
}

// PortalRequest is a customer's request through a SmartButton, SmartBox
// or SmartMatch portal.
type PortalRequest struct {
	// Name is the customer's name; optional.
	Name string `json:"name,omitempty"`
	// Question is required on SmartBox portals.
	Question string `json:"question,omitempty"`
	// Rep is the chosen representative's ID on SmartMatch portals.
	Rep string `json:"rep,omitempty"`
	// Lang picks the language of the refusal message; optional.
	Lang string `json:"lang,omitempty"`
}

// Validate checks the request's fields.
func (p PortalRequest) Validate() error {
	if err := ValidateName("name", p.Name, false); err != nil {
		return err
	}
	if err := ValidateText("question", p.Question, MaxQuestionRunes, false); err != nil {
		return err
	}
	if len(p.Rep) > 64 {
		return fmt.Errorf("%w: rep is not a representative's ID", ErrBadData)
	}
	if p.Lang != "" && !ValidLanguage(p.Lang) {
		return fmt.Errorf("%w: lang %q is not a language tag", ErrBadData, p.Lang)
	}
	return nil
}
