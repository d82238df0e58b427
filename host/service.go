package host

import (
	"context"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"
)

// A customer client may run as a service of the operating system for the
// rest of a session (the portal's RunAsService and StartAsService): a
// service runs with administrative rights and outlives the customer's
// logging off. The client installs a service for its session whose
// command resumes the session from a hand-off, starts it, and exits once
// the service's process has taken over, as an elevated relaunch does. At
// the session's end the service's process removes its own service where
// the portal says so (UninstallServiceAtEnd).
//
// [ServiceManager] installs, starts and removes such services:
//   - Linux: a systemd unit file in /run/systemd/system (see
//     service_linux.go), started with systemctl;
//   - Windows: the service control manager (golang.org/x/sys/windows/svc/mgr);
//   - macOS: a launchd daemon (a property list in /Library/LaunchDaemons);
//   - elsewhere: errors.ErrUnsupported.

// maxServiceName bounds a service's name.
const maxServiceName = 64

// ServiceNamePrefix starts the name of every service [ServiceName] makes.
const ServiceNamePrefix = "tandem-customer-"

// ServiceName returns the service name for a session: ServiceNamePrefix
// followed by the session's ID, with every byte that is not an ASCII
// letter, digit or '-' replaced by '-', cut to 64 bytes in all. Two
// sessions' services never share a name unless their IDs differ only in
// such bytes or beyond the cut.
func ServiceName(sessionID string) string {
	var b strings.Builder
	b.WriteString(ServiceNamePrefix)
	for i := 0; i < len(sessionID) && b.Len() < maxServiceName; i++ {
		c := sessionID[i]
		if validServiceByte(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

func validServiceByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

// ValidateServiceName checks a service's name: 1 to 64 ASCII letters,
// digits and '-', not starting with '-'. Such a name is the same on every
// platform and needs no quoting anywhere.
func ValidateServiceName(name string) error {
	if name == "" || len(name) > maxServiceName || name[0] == '-' {
		return fmt.Errorf("%w: service name %q: want 1..%d letters, digits and '-', not starting with '-'", ErrInvalidValue, name, maxServiceName)
	}
	for i := 0; i < len(name); i++ {
		if !validServiceByte(name[i]) {
			return fmt.Errorf("%w: service name %q contains byte %#x", ErrInvalidValue, name, name[i])
		}
	}
	return nil
}

// ServiceSpec describes a service that runs the customer client.
type ServiceSpec struct {
	// Name is the service's name (see [ServiceName] and
	// [ValidateServiceName]).
	Name string
	// Description is a line for the system's service list; optional.
	Description string
	// Exe is the absolute path of the program to run.
	Exe string
	// Args are the program's arguments.
	Args []string
	// Env are KEY=value variables for the program: the display and the
	// session bus, which a service does not inherit (see [SessionEnv]).
	Env []string
}

// Validate checks a spec: a valid name, an absolute program path, and
// arguments, variables and a description of valid UTF-8 with no control
// characters (each would have to survive a unit file's or a property
// list's quoting); variable names are letters, digits and '_'.
func (s ServiceSpec) Validate() error {
	if err := ValidateServiceName(s.Name); err != nil {
		return err
	}
	if !strings.HasPrefix(s.Exe, "/") && !(len(s.Exe) > 2 && s.Exe[1] == ':') {
		return fmt.Errorf("%w: service program %q is not an absolute path", ErrInvalidValue, s.Exe)
	}
	check := func(what, v string) error {
		if !utf8.ValidString(v) {
			return fmt.Errorf("%w: service %s %q is not UTF-8", ErrInvalidValue, what, v)
		}
		for _, r := range v {
			if r < 0x20 || r == 0x7f {
				return fmt.Errorf("%w: service %s %q contains control character %#x", ErrInvalidValue, what, v, r)
			}
		}
		return nil
	}
	if err := check("description", s.Description); err != nil {
		return err
	}
	if err := check("program", s.Exe); err != nil {
		return err
	}
	for _, a := range s.Args {
		if err := check("argument", a); err != nil {
			return err
		}
	}
	for _, kv := range s.Env {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" || strings.IndexFunc(k, func(r rune) bool {
			return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}) >= 0 {
			return fmt.Errorf("%w: service variable %q is not KEY=value", ErrInvalidValue, kv)
		}
		if err := check("variable", kv); err != nil {
			return err
		}
	}
	return nil
}

// SessionEnv returns the variables a service running the customer client
// needs to reach the customer's desktop: the display (display when not
// empty, else $DISPLAY), X authority, session bus, runtime directory and
// locale of this process, as KEY=value.
func SessionEnv(display string) []string { return elevatedEnv(os.Getenv, display) }

// ServiceManager installs, starts and removes the services that run the
// customer client. The zero value manages the system's services; the
// fields serve tests, which run a service manager of their own.
type ServiceManager struct {
	// User (Linux): manage the calling user's systemd instance
	// (systemctl --user, units in $XDG_RUNTIME_DIR/systemd/user) instead
	// of the system's. Optional; false means the system's.
	User bool
	// UnitDir (Linux) is where unit files go. Optional: empty means
	// /run/systemd/system, or $XDG_RUNTIME_DIR/systemd/user with User.
	UnitDir string
	// Env are KEY=value variables added to systemctl's environment, such
	// as XDG_RUNTIME_DIR for a user instance. Optional.
	Env []string
}

// Probe returns nil when [ServiceManager.Install] can work here: the
// system's service manager runs and this process has the rights to
// install services. Otherwise the error wraps [ErrServiceUnavailable]
// (systemd not running, no administrative rights) or
// errors.ErrUnsupported (a system without a service manager this package
// knows).
func (m *ServiceManager) Probe(ctx context.Context) error {
	if err := m.probe(ctx); err != nil {
		return fmt.Errorf("probe the service manager: %w", err)
	}
	return nil
}

// Install installs spec as a service that is started on request only
// (never at boot). A service of the same name is replaced.
func (m *ServiceManager) Install(ctx context.Context, spec ServiceSpec) error {
	if err := spec.Validate(); err != nil {
		return fmt.Errorf("install service: %w", err)
	}
	if err := m.install(ctx, spec); err != nil {
		return fmt.Errorf("install service %s: %w", spec.Name, err)
	}
	return nil
}

// Start starts the installed service name and returns once the service
// manager has started its process.
func (m *ServiceManager) Start(ctx context.Context, name string) error {
	if err := ValidateServiceName(name); err != nil {
		return fmt.Errorf("start service: %w", err)
	}
	if err := m.start(ctx, name); err != nil {
		return fmt.Errorf("start service %s: %w", name, err)
	}
	return nil
}

// Uninstall stops the service name and removes it. A service that is not
// installed, or stopped already, is no error: Uninstall may be called any
// number of times. A service's own process calls [ServiceManager.RemoveSelf]
// instead: stopping would end it.
func (m *ServiceManager) Uninstall(ctx context.Context, name string) error {
	if err := ValidateServiceName(name); err != nil {
		return fmt.Errorf("uninstall service: %w", err)
	}
	if err := m.uninstall(ctx, name, true); err != nil {
		return fmt.Errorf("uninstall service %s: %w", name, err)
	}
	return nil
}

// RemoveSelf removes the service name, which the calling process runs
// as, without stopping it: the service manager forgets the service once
// the process has exited. Like Uninstall it may be called again.
func (m *ServiceManager) RemoveSelf(ctx context.Context, name string) error {
	if err := ValidateServiceName(name); err != nil {
		return fmt.Errorf("remove own service: %w", err)
	}
	if err := m.uninstall(ctx, name, false); err != nil {
		return fmt.Errorf("remove own service %s: %w", name, err)
	}
	return nil
}

// Running reports whether the service name runs: started and not yet
// stopped (on Linux, systemd's "active", "activating", "reloading" or
// "deactivating"). A service that is not installed does not run.
func (m *ServiceManager) Running(ctx context.Context, name string) (bool, error) {
	if err := ValidateServiceName(name); err != nil {
		return false, fmt.Errorf("service state: %w", err)
	}
	on, err := m.running(ctx, name)
	if err != nil {
		return false, fmt.Errorf("service state %s: %w", name, err)
	}
	return on, nil
}
