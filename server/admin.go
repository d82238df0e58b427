package server

import (
	"net/http"

	"github.com/tandemhq/tandem/server/adminweb"
	"github.com/tandemhq/tandem/server/auth"
	portalmodel "github.com/tandemhq/tandem/server/portal"
)

// adminRoutes registers the admin web interface and its JSON API, and the
// portal configuration endpoints clients read: banners, the session's
// configuration snapshot, the wait status and canned messages.
func (s *Server) adminRoutes(mux *http.ServeMux) {
	a := &adminAPI{s: s, admin: portalmodel.NewAdmin(s.store, s.now, auth.NewID, s.logger.With("component", "admin"))}
	a.routes(mux)
	mux.Handle(adminweb.Prefix, s.adminWeb())
	s.portalConfigRoutes(mux)
	pr := &portalRequests{s: s, limiter: auth.NewLimiter(portalRequestMax, portalRequestWindow)}
	pr.routes(mux)
}
