package server

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
)

// downloadChooser asks which system the support program is for, when the
// browser does not say.
var downloadChooser = template.Must(template.New("download").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Download the support program</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; color: #222; line-height: 1.5; }
h1 { font-size: 1.6rem; }
.code { font-size: 2rem; letter-spacing: .15em; font-weight: 700; }
ul { list-style: none; padding: 0; }
li a { display: inline-block; margin: .4rem 0; font-size: 1.2rem; }
.note { color: #555; }
</style>
</head>
<body>
<main>
<h1>Download the support program</h1>
{{if .Formatted}}<p>Your session code is</p>
<p class="code" id="code">{{.Formatted}}</p>{{else}}<p id="queued">You are in the queue for help.</p>{{end}}
<p>Which computer are you using?</p>
<ul id="systems">
{{range .Systems}}<li><a href="{{.URL}}">{{.Name}}</a></li>
{{end}}
</ul>
<p class="note">Run the program once it has downloaded. It connects you to your representative by itself; you do not need to type anything.</p>
</main>
</body>
</html>
`))

// chooserPage is what downloadChooser shows.
type chooserPage struct {
	// Formatted is the session code, grouped; "" for a queue ticket.
	Formatted string
	// Systems are the downloads to choose from.
	Systems []chooserLink
}

// chooserLink is one system's download.
type chooserLink struct{ Name, URL string }

// renderChooser writes the page that lets the customer pick a system for
// the download at base with the query q (whose os it sets): of a session
// code (formatted) or, with formatted "", of a queue ticket.
func (s *Server) renderChooser(w http.ResponseWriter, formatted, base string, q url.Values) {
	page := chooserPage{Formatted: formatted}
	for _, sys := range []struct{ name, os string }{{"Windows", "windows"}, {"Mac", "darwin"}, {"Linux", "linux"}} {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("os", sys.os)
		page.Systems = append(page.Systems, chooserLink{Name: sys.name, URL: base + "?" + v.Encode()})
	}
	var buf bytes.Buffer
	if err := downloadChooser.Execute(&buf, page); err != nil {
		s.logger.Error("render download chooser", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	pageHeaders(w)
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}
