package capture

import "fmt"

// Backend names a way of reading the screen.
type Backend int

const (
	// BackendAuto, the zero value, picks BackendXShm where it works and
	// BackendScreenshot otherwise.
	BackendAuto Backend = iota
	// BackendXShm reads an X11 screen through one persistent connection
	// with MIT-SHM, XDamage, XFixes and RandR (Linux only).
	BackendXShm
	// BackendScreenshot is the portable fallback on kbinani/screenshot.
	BackendScreenshot
)

var backendNames = [...]string{BackendAuto: "auto", BackendXShm: "xshm", BackendScreenshot: "screenshot"}

// String returns the backend's lower-case name.
func (b Backend) String() string {
	if b >= 0 && int(b) < len(backendNames) {
		return backendNames[b]
	}
	return fmt.Sprintf("Backend(%d)", int(b))
}

// MarshalText encodes the backend as its name.
func (b Backend) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// UnmarshalText decodes a backend name written by MarshalText.
func (b *Backend) UnmarshalText(text []byte) error {
	for i, n := range backendNames {
		if n == string(text) {
			*b = Backend(i)
			return nil
		}
	}
	return fmt.Errorf("capture: unknown backend %q", text)
}

// Converter names an implementation of the BGRA to I420 conversion.
type Converter int

const (
	// ConverterAuto, the zero value, is the fastest converter built in:
	// ConverterLibyuv when the package was built with cgo on Linux,
	// ConverterGo otherwise.
	ConverterAuto Converter = iota
	// ConverterGo is the pure Go conversion.
	ConverterGo
	// ConverterLibyuv calls libyuv's ARGBToI420 through cgo.
	ConverterLibyuv
)

var converterNames = [...]string{ConverterAuto: "auto", ConverterGo: "go", ConverterLibyuv: "libyuv"}

// String returns the converter's lower-case name.
func (c Converter) String() string {
	if c >= 0 && int(c) < len(converterNames) {
		return converterNames[c]
	}
	return fmt.Sprintf("Converter(%d)", int(c))
}

// MarshalText encodes the converter as its name.
func (c Converter) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText decodes a converter name written by MarshalText.
func (c *Converter) UnmarshalText(text []byte) error {
	for i, n := range converterNames {
		if n == string(text) {
			*c = Converter(i)
			return nil
		}
	}
	return fmt.Errorf("capture: unknown converter %q", text)
}

// Available reports whether this build contains the converter.
func (c Converter) Available() bool {
	switch c {
	case ConverterAuto, ConverterGo:
		return true
	case ConverterLibyuv:
		return libyuvBuilt
	}
	return false
}
