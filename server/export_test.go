package server

import "github.com/tandemhq/tandem/server/store"

// Store exposes the server's store to the tests (a team queue, sessions
// seeded directly).
func (s *Server) Store() *store.SQLite { return s.store }
