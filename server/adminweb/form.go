package adminweb

import (
	"encoding"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// A settings form is generated from the settings struct a Deps returns:
// every exported field with a JSON name becomes a form field named by its
// JSON path ("greeting.interval"), and every nested struct a fieldset.
// Booleans are check boxes, strings text fields (long texts text areas),
// integers number fields, typed-int enums with MarshalText select lists,
// time.Duration text like "30s", *bool a choice of "site default", on and
// off, per-language maps one field per language, []string one line per
// item, and anything else JSON in a text area. So the pages show every
// setting of the model, including ones added after these pages were
// written.

// Languages are the languages every per-language message offers a field
// for, besides those a setting already has.
var Languages = []string{"en", "de"}

// section is a fieldset of a settings form.
type section struct {
	// Path is the JSON path of the struct the section shows.
	Path  string
	Title string
	Help  string
	// Error is a refused value of the section as a whole.
	Error    string
	Fields   []field
	Sections []section
}

// field is one input of a settings form.
type field struct {
	// Name is the JSON path and the form field's name.
	Name  string
	ID    string
	Label string
	Help  string
	Kind  string // checkbox, text, textarea, number, select, lines, json
	Value string
	// Rows is a text area's height in lines.
	Rows int
	// Placeholder shows what applies while the field is empty.
	Placeholder string
	Checked     bool
	Options     []option
	Error       string
}

// option is one choice of a select field.
type option struct {
	Value, Label string
	Selected     bool
}

var (
	durationType     = reflect.TypeFor[time.Duration]()
	textMarshalerT   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalerT = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// jsonName returns a struct field's JSON name, or "" when it has none or
// is not exported.
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" && tag == "-" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

// join appends a JSON name to a path.
func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// fieldID is the HTML id of a field with the given path.
func fieldID(path string) string {
	return "f-" + strings.NewReplacer(".", "-", " ", "_").Replace(path)
}

// humanize turns a Go name into a label: "OrphanedURL" → "Orphaned URL",
// "OnHoldInterval" → "On hold interval".
func humanize(name string) string {
	if h, ok := labels[name]; ok {
		return h
	}
	rs := []rune(name)
	var words []string
	start := 0
	for i := 1; i < len(rs); i++ {
		lowerToUpper := unicode.IsLower(rs[i-1]) && unicode.IsUpper(rs[i])
		acronymEnd := unicode.IsUpper(rs[i-1]) && unicode.IsUpper(rs[i]) && i+1 < len(rs) && unicode.IsLower(rs[i+1])
		digit := unicode.IsDigit(rs[i]) != unicode.IsDigit(rs[i-1]) && !unicode.IsUpper(rs[i-1])
		if lowerToUpper || acronymEnd || digit || rs[i] == '_' {
			words = append(words, string(rs[start:i]))
			start = i
			if rs[i] == '_' {
				start = i + 1
			}
		}
	}
	words = append(words, string(rs[start:]))
	for i, w := range words {
		if strings.ToUpper(w) != w || len(w) == 1 {
			words[i] = strings.ToLower(w)
		}
	}
	s := strings.TrimSpace(strings.Join(words, " "))
	if s == "" {
		return name
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// labels are labels better than the humanized Go name.
var labels = map[string]string{
	"CtrlAltDelOverride":         "Ctrl-Alt-Del override: the rep may override a disabled Secure Attention Sequence policy",
	"SiteLogging":                "Use the site-wide logging default instead of the options below",
	"MaxEstimatedWaitMinutes":    "Maximum estimated wait (minutes)",
	"OnHoldIntervalSeconds":      "On-hold message interval (seconds)",
	"TimeoutSeconds":             "Acceptance timeout (seconds)",
	"ReconnectSeconds":           "Reconnect time (seconds)",
	"StartMinimizedNoFocus":      "Start minimized without taking focus (attended sessions)",
	"HostnameInTitle":            "Show the public site host name in the title bar",
	"SupportedIndicator":         "Show a semi-transparent \"being supported\" message on the customer's screen",
	"bool:Notices":               "Show customer notices until the session is accepted",
	"bool:Full":                  "Require the agreement in full client sessions",
	"bool:Chat":                  "Require the chat agreement in click-to-chat sessions",
	"bool:RecordingPrompt":       "Display the session recording prompt before full client sessions",
	"bool:Message":               "Show the orphaned session message",
	"bool:Greeting":              "Show the greeting once the session is in a queue",
	"bool:OnHold":                "Repeat the on-hold message at the interval",
	"bool:Prompt":                "Ask the customer before each permission is used",
	"bool:Shell":                 "Allow a command shell",
	"client.policy.system_info":  "Allow reading system information",
	"client.logging.system_info": "Log system information at the start of a session",
	"logging.system_info":        "Log system information at the start of a session",
	"bool:Clipboard":             "Allow clipboard synchronisation",
	"bool:Elevation":             "The rep may request elevation",
	"bool:RecordScreen":          "Record screen sharing",
	"bool:RecordShell":           "Record command shell sessions",
	"InputLockout":               "Lock the customer's mouse and keyboard while the connection is lost",
	"RepOverride":                "The rep may override the termination behaviour",
	"LimitApplications":          "The customer may limit the applications shared",
	"CustomerFileOffers":         "The customer may offer files in chat",
	"HardwareAccelerationDetect": "Detect a slow video driver and turn hardware acceleration off while sharing",
	"RunAsService":               "Allow run as a service",
	"StartAsService":             "Allow start as a service",
	"UninstallServiceAtEnd":      "Uninstall the service at the session's end",
	"SoundOnChat":                "Sound for the customer on chat receipt",
	"Annotations":                "Allow annotations",
	"MaxExternalSpecialists":     "External specialists a rep may invite (0 to 5)",
	"NotificationEmail":          "E-mail notification for completed sessions",
	"StartTLS":                   "STARTTLS",
	"SMTP":                       "Outgoing mail (SMTP)",
	"BoxMode":                    "SmartBox routing",
	"WebChat":                    "Start sessions in Web Chat (the browser chat comes in a later release)",
	"PostSession":                "Post-session message",
	"Orphaned":                   "Orphaned session message",
	"OnHold":                     "On-hold message",
	"URL":                        "URL",
	"Logging":                    "This portal's logging",
}

// helps are short explanations shown under fields, by JSON leaf name.
var helps = map[string]string{
	"smtp.port":          "0 means 587 (submission).",
	"smtp.host":          "Empty: the server sends no e-mail.",
	"box_mode":           "Used by SmartBox portals: broadcast each question to all available reps, or queue it for the next available rep.",
	"client.policy.name": "A label for administrators.",
	"notification_email": "An address that receives each completed session as XML, with the ratings when given.",
	"url":                "Optional: an https:// address opened in the customer's browser, such as a knowledge base.",
	"greeting":           "Macros: %POSITION_IN_QUEUE% and %ESTIMATED_WAIT_TIME% expand into full sentences.",
	"on_hold":            "Shown at every interval until a rep accepts. Macros: %POSITION_IN_QUEUE%, %ESTIMATED_WAIT_TIME%.",
	"on_hold_message":    "Shown at every interval until a rep accepts. Macros: %POSITION_IN_QUEUE%, %ESTIMATED_WAIT_TIME%.",
	"greeting_message":   "Macros: %POSITION_IN_QUEUE% and %ESTIMATED_WAIT_TIME% expand into full sentences.",
}

// longText reports whether a string field deserves a text area.
func longText(f reflect.StructField, v string) bool {
	if strings.Contains(v, "\n") || len(v) > 80 {
		return true
	}
	for _, w := range []string{"Message", "Text", "Body", "Agreement", "Greeting", "Prompt", "Notice", "Hold", "Orphaned", "PostSession"} {
		if strings.Contains(f.Name, w) {
			return true
		}
	}
	return false
}

// isEnum reports whether t is a typed integer with text encoding.
func isEnum(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
	default:
		return false
	}
	return t.Implements(textMarshalerT) && reflect.PointerTo(t).Implements(textUnmarshalerT)
}

// enumOptions lists an enum's values by probing 0..63: the values whose
// MarshalText succeeds with a plain name.
func enumOptions(t reflect.Type, cur reflect.Value) []option {
	var opts []option
	curText := textOf(cur)
	for i := range 64 {
		v := reflect.New(t).Elem()
		if v.CanInt() {
			v.SetInt(int64(i))
		} else {
			v.SetUint(uint64(i))
		}
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		s := string(b)
		if err != nil || s == "" || strings.ContainsAny(s, "()") || (i == 0 && s == "unknown") {
			continue
		}
		opts = append(opts, option{Value: s, Label: enumLabel(s), Selected: s == curText})
	}
	return opts
}

// enumLabel makes an enum's text readable: "lock_screen" → "Lock screen".
func enumLabel(s string) string {
	s = strings.NewReplacer("_", " ", "-", " ").Replace(s)
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// textOf is v's MarshalText, or "".
func textOf(v reflect.Value) string {
	m, ok := v.Interface().(encoding.TextMarshaler)
	if !ok {
		return ""
	}
	b, err := m.MarshalText()
	if err != nil {
		return ""
	}
	return string(b)
}

// buildSection describes the struct v as a fieldset. input, when not
// nil, is a posted form whose values are shown instead of v's, so that a
// refused form keeps what the admin typed; errs are messages by field.
func buildSection(v reflect.Value, path, title string, input url.Values, errs map[string]string) section {
	return buildOnly(v, path, title, nil, input, errs)
}

// selected says whether the field at path is wanted: all of it (it or an
// ancestor is listed), or some (a descendant is listed). A nil list wants
// everything.
func selected(path string, want []string) (all, some bool) {
	if want == nil {
		return true, false
	}
	for _, w := range want {
		if path == w || strings.HasPrefix(path, w+".") {
			return true, false
		}
		if strings.HasPrefix(w, path+".") {
			some = true
		}
	}
	return false, some
}

// buildOnly is buildSection limited to the listed paths (see selected):
// structs only partly wanted are not fieldsets of their own; their wanted
// fields and sections join the parent's.
func buildOnly(v reflect.Value, path, title string, want []string, input url.Values, errs map[string]string) section {
	s := section{Path: path, Title: title, Error: errs[path]}
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		name := jsonName(sf)
		if name == "" {
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && sf.Tag.Get("json") == "" {
			sub := buildOnly(v.Field(i), path, "", want, input, errs)
			s.Fields = append(s.Fields, sub.Fields...)
			s.Sections = append(s.Sections, sub.Sections...)
			continue
		}
		p := join(path, name)
		fv := v.Field(i)
		all, some := selected(p, want)
		if some && sf.Type.Kind() == reflect.Struct {
			sub := buildOnly(fv, p, "", want, input, errs)
			s.Fields = append(s.Fields, sub.Fields...)
			s.Sections = append(s.Sections, sub.Sections...)
			continue
		}
		if !all {
			continue
		}
		switch {
		case sf.Type.Kind() == reflect.Struct && !sf.Type.Implements(textMarshalerT):
			sub := buildSection(fv, p, humanize(sf.Name), input, errs)
			s.Sections = append(s.Sections, sub)
		case sf.Type.Kind() == reflect.Map && sf.Type.Key().Kind() == reflect.String && sf.Type.Elem().Kind() == reflect.String:
			sub := section{Path: p, Title: humanize(sf.Name), Help: "One text per language. Leave a language empty to use the default text."}
			for _, lang := range mapKeys(fv) {
				fp := join(p, lang)
				cur := ""
				if x := fv.MapIndex(reflect.ValueOf(lang).Convert(sf.Type.Key())); x.IsValid() {
					cur = x.String()
				}
				f := field{Name: fp, ID: fieldID(fp), Label: langName(lang), Kind: "textarea", Value: cur, Help: helps[name], Error: errs[fp]}
				if input != nil {
					f.Value = input.Get(fp)
				}
				sub.Fields = append(sub.Fields, f)
			}
			sub.Error = errs[p]
			s.Sections = append(s.Sections, sub)
		case sf.Type.Kind() == reflect.Map && sf.Type.Key().Kind() == reflect.String && sf.Type.Elem().Kind() == reflect.Struct:
			sub := section{Path: p, Title: humanize(sf.Name), Help: "One per language. Leave a language empty to use the default.", Error: errs[p]}
			for _, lang := range mapKeys(fv) {
				x := fv.MapIndex(reflect.ValueOf(lang).Convert(sf.Type.Key()))
				if !x.IsValid() {
					x = reflect.New(sf.Type.Elem()).Elem()
				}
				cp := reflect.New(sf.Type.Elem()).Elem()
				cp.Set(x)
				sub.Sections = append(sub.Sections, buildSection(cp, join(p, lang), langName(lang), input, errs))
			}
			s.Sections = append(s.Sections, sub)
		default:
			s.Fields = append(s.Fields, buildField(sf, fv, p, input, errs))
		}
	}
	return s
}

// mapKeys are a per-language map's keys and the Languages, sorted with
// the Languages first.
func mapKeys(m reflect.Value) []string {
	keys := slices.Clone(Languages)
	var extra []string
	for _, k := range m.MapKeys() {
		if !slices.Contains(keys, k.String()) {
			extra = append(extra, k.String())
		}
	}
	slices.Sort(extra)
	return append(keys, extra...)
}

// langName names a language code.
func langName(code string) string {
	switch code {
	case "en":
		return "English (en)"
	case "de":
		return "German (de)"
	}
	return code
}

// buildField describes one scalar setting.
func buildField(sf reflect.StructField, v reflect.Value, path string, input url.Values, errs map[string]string) field {
	f := field{Name: path, ID: fieldID(path), Label: humanize(sf.Name), Help: helps[jsonName(sf)], Error: errs[path]}
	t := sf.Type
	if l, ok := labels[t.Kind().String()+":"+sf.Name]; ok {
		f.Label = l
	}
	if l, ok := labels[path]; ok {
		f.Label = l
	}
	if h, ok := helps[path]; ok {
		f.Help = h
	}
	switch {
	case t == durationType:
		f.Kind, f.Value = "text", v.Interface().(time.Duration).String()
		if f.Help == "" {
			f.Help = "A duration such as 90s, 5m or 1h30m."
		}
	case isEnum(t):
		f.Kind, f.Options = "select", enumOptions(t, v)
	case t.Kind() == reflect.Bool:
		f.Kind, f.Checked = "checkbox", v.Bool()
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Bool:
		cur := ""
		if !v.IsNil() {
			cur = strconv.FormatBool(v.Elem().Bool())
		}
		f.Kind = "select"
		f.Options = []option{{Value: "", Label: "Site-wide default"}, {Value: "true", Label: "On"}, {Value: "false", Label: "Off"}}
		for i := range f.Options {
			f.Options[i].Selected = f.Options[i].Value == cur
		}
	case t.Kind() == reflect.String && sf.Name == "Password":
		f.Kind = "password" // write-only: never shown
		if f.Help == "" {
			f.Help = "Leave empty to keep the current one."
		}
	case t.Kind() == reflect.String:
		f.Kind, f.Value = "text", v.String()
		if longText(sf, v.String()) {
			f.Kind, f.Rows = "textarea", 3
			if sf.Name == "Body" {
				f.Rows = 12
			}
		}
	case v.CanInt():
		f.Kind, f.Value = "number", strconv.FormatInt(v.Int(), 10)
	case v.CanUint():
		f.Kind, f.Value = "number", strconv.FormatUint(v.Uint(), 10)
	case t.Kind() == reflect.Float64 || t.Kind() == reflect.Float32:
		f.Kind, f.Value = "text", strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case t.Implements(textMarshalerT) && reflect.PointerTo(t).Implements(textUnmarshalerT):
		f.Kind, f.Value = "text", textOf(v)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		f.Kind = "lines"
		lines := make([]string, v.Len())
		for i := range lines {
			lines[i] = v.Index(i).String()
		}
		f.Value = strings.Join(lines, "\n")
		if f.Help == "" {
			f.Help = "One per line."
		}
	default:
		f.Kind = "json"
		if !(t.Kind() == reflect.Pointer && v.IsNil()) {
			b, err := json.MarshalIndent(v.Interface(), "", "  ")
			if err != nil {
				b = []byte("null")
			}
			f.Value = string(b)
		}
		if f.Help == "" {
			f.Help = "Edited as JSON."
		}
	}
	if input != nil {
		switch f.Kind {
		case "checkbox":
			f.Checked = input.Has(path)
		case "password":
		case "select":
			for i := range f.Options {
				f.Options[i].Selected = f.Options[i].Value == input.Get(path)
			}
		default:
			f.Value = input.Get(path)
		}
	}
	return f
}

// decodeSection sets the struct v, limited to the listed paths (see
// selected), from the form's fields as buildOnly named them. It returns
// the fields that could not be parsed, with the reason; the others are set.
func decodeSection(v reflect.Value, want []string, form url.Values) map[string]string {
	errs := map[string]string{}
	decodeInto(v, "", want, form, errs)
	return errs
}

// decodeInto is decodeSection's recursion.
func decodeInto(v reflect.Value, path string, want []string, form url.Values, errs map[string]string) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		name := jsonName(sf)
		if name == "" {
			continue
		}
		fv := v.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && sf.Tag.Get("json") == "" {
			decodeInto(fv, path, want, form, errs)
			continue
		}
		p := join(path, name)
		all, some := selected(p, want)
		if some && sf.Type.Kind() == reflect.Struct {
			decodeInto(fv, p, want, form, errs)
			continue
		}
		if !all {
			continue
		}
		switch {
		case sf.Type.Kind() == reflect.Struct && !sf.Type.Implements(textMarshalerT):
			decodeInto(fv, p, nil, form, errs)
		case sf.Type.Kind() == reflect.Map && sf.Type.Key().Kind() == reflect.String && sf.Type.Elem().Kind() == reflect.String:
			m := reflect.MakeMap(sf.Type)
			for _, lang := range mapKeys(fv) {
				s := strings.TrimSpace(normalizeNewlines(form.Get(join(p, lang))))
				if s != "" {
					m.SetMapIndex(reflect.ValueOf(lang).Convert(sf.Type.Key()), reflect.ValueOf(s).Convert(sf.Type.Elem()))
				}
			}
			if m.Len() > 0 || !fv.IsNil() {
				fv.Set(m)
			}
		case sf.Type.Kind() == reflect.Map && sf.Type.Key().Kind() == reflect.String && sf.Type.Elem().Kind() == reflect.Struct:
			m := reflect.MakeMap(sf.Type)
			for _, lang := range mapKeys(fv) {
				k := reflect.ValueOf(lang).Convert(sf.Type.Key())
				x := reflect.New(sf.Type.Elem()).Elem()
				if old := fv.MapIndex(k); old.IsValid() {
					x.Set(old)
				}
				decodeInto(x, join(p, lang), nil, form, errs)
				if old := fv.MapIndex(k); old.IsValid() || !x.IsZero() {
					m.SetMapIndex(k, x)
				}
			}
			if m.Len() > 0 || !fv.IsNil() {
				fv.Set(m)
			}
		default:
			if msg := decodeField(sf.Type, fv, form.Get(p), form.Has(p)); msg != "" {
				errs[p] = msg
			}
		}
	}
}

// normalizeNewlines turns the CRLF browsers post into LF.
func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// decodeField parses one posted value into v; it returns why it cannot.
func decodeField(t reflect.Type, v reflect.Value, raw string, present bool) string {
	raw = normalizeNewlines(raw)
	s := strings.TrimSpace(raw)
	switch {
	case t == durationType:
		if s == "" {
			v.SetInt(0)
			return ""
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			if n, err2 := strconv.ParseInt(s, 10, 64); err2 == nil {
				d = time.Duration(n) * time.Second
			} else {
				return fmt.Sprintf("%q is not a duration; write for example 90s, 5m or 1h30m", s)
			}
		}
		if d < 0 {
			return "must not be negative"
		}
		v.SetInt(int64(d))
	case isEnum(t):
		p := reflect.New(t)
		if err := p.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return fmt.Sprintf("choose one of the listed values (%q is not one)", s)
		}
		v.Set(p.Elem())
	case t.Kind() == reflect.Bool:
		v.SetBool(present)
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Bool:
		switch s {
		case "":
			v.Set(reflect.Zero(t))
		case "true", "false":
			b := reflect.New(t.Elem())
			b.Elem().SetBool(s == "true")
			v.Set(b)
		default:
			return "choose site-wide default, on or off"
		}
	case t.Kind() == reflect.String:
		if strings.ContainsFunc(raw, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
			return "contains control characters"
		}
		v.SetString(strings.TrimRight(raw, " \n\t"))
	case v.CanInt():
		n, err := strconv.ParseInt(s, 10, t.Bits())
		if err != nil {
			return fmt.Sprintf("%q is not a whole number", s)
		}
		v.SetInt(n)
	case v.CanUint():
		n, err := strconv.ParseUint(s, 10, t.Bits())
		if err != nil {
			return fmt.Sprintf("%q is not a whole number of 0 or more", s)
		}
		v.SetUint(n)
	case t.Kind() == reflect.Float64 || t.Kind() == reflect.Float32:
		n, err := strconv.ParseFloat(s, t.Bits())
		if err != nil {
			return fmt.Sprintf("%q is not a number", s)
		}
		v.SetFloat(n)
	case t.Implements(textMarshalerT) && reflect.PointerTo(t).Implements(textUnmarshalerT):
		p := reflect.New(t)
		if err := p.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return err.Error()
		}
		v.Set(p.Elem())
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		out := reflect.MakeSlice(t, 0, 4)
		for line := range strings.SplitSeq(s, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out = reflect.Append(out, reflect.ValueOf(line).Convert(t.Elem()))
			}
		}
		v.Set(out)
	default:
		p := reflect.New(t)
		dec := json.NewDecoder(strings.NewReader(s))
		dec.DisallowUnknownFields()
		if s == "" {
			s = "null"
			dec = json.NewDecoder(strings.NewReader(s))
		}
		if err := dec.Decode(p.Interface()); err != nil {
			return "not valid JSON for this setting: " + err.Error()
		}
		v.Set(p.Elem())
	}
	return ""
}
