package client

// SkipRepScreenCheck makes ShowScreen skip its own check of the session's
// functions, so that a test sees the server refuse; it returns the undo.
func SkipRepScreenCheck() (undo func()) {
	skipRepScreenCheck = true
	return func() { skipRepScreenCheck = false }
}
