package server

import "net/http"

// downloadRoutes registers the customer client downloads with signed join data.
func (s *Server) downloadRoutes(mux *http.ServeMux) {}
