package host

import "strings"

// unitText is the systemd unit that runs spec (Linux): a simple service
// that is never restarted and is collected once it has stopped, even when
// it failed. It has no [Install] section: only an explicit start runs it.
func unitText(spec ServiceSpec) string {
	var b strings.Builder
	b.WriteString("# Written by the Tandem customer client for one support session.\n")
	b.WriteString("[Unit]\n")
	desc := spec.Description
	if desc == "" {
		desc = "Tandem customer client (" + spec.Name + ")"
	}
	b.WriteString("Description=" + unitEscape(desc) + "\n")
	b.WriteString("CollectMode=inactive-or-failed\n")
	b.WriteString("\n[Service]\n")
	b.WriteString("Type=simple\n")
	b.WriteString("Restart=no\n")
	b.WriteString("ExecStart=" + unitQuote(spec.Exe, true))
	for _, a := range spec.Args {
		b.WriteString(" " + unitQuote(a, true))
	}
	b.WriteString("\n")
	for _, kv := range spec.Env {
		b.WriteString("Environment=" + unitQuote(kv, false) + "\n")
	}
	return b.String()
}

// unitEscape escapes systemd's specifiers: % becomes %%.
func unitEscape(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// unitQuote quotes s as one word of a unit file's setting: in double
// quotes, with backslashes and quotes escaped and specifiers doubled; in a
// command line (exec) also $, which would expand a variable.
func unitQuote(s string, exec bool) string {
	r := []string{`\`, `\\`, `"`, `\"`, "%", "%%"}
	if exec {
		r = append(r, "$", "$$")
	}
	return `"` + strings.NewReplacer(r...).Replace(s) + `"`
}
