package server

import "net/http"

// adminRoutes registers the admin web interface and its JSON API.
func (s *Server) adminRoutes(mux *http.ServeMux) {}
