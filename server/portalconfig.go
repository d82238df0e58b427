package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/tandemhq/tandem/protocol"
	portalmodel "github.com/tandemhq/tandem/server/portal"
	"github.com/tandemhq/tandem/server/store"
)

// bannerURL is where clients fetch a banner by its hash.
func (s *Server) bannerURL(sha256 string) string {
	return s.publicURL() + protocol.PathBanners + sha256
}

// snapshotConfig copies the customer client configuration of the portal
// (or the defaults, for a session without one) into a new session and
// returns it: later edits of the portal do not change it.
func (s *Server) snapshotConfig(ctx context.Context, sessionID, portalID string) (protocol.CustomerClientConfig, error) {
	c, err := s.currentConfig(ctx, portalID)
	if err != nil {
		return c, err
	}
	if err := s.store.SaveSessionConfig(ctx, sessionID, c); err != nil {
		return c, fmt.Errorf("snapshot config: %w", err)
	}
	return c, nil
}

// currentConfig is the configuration a session starting now through the
// portal would receive.
func (s *Server) currentConfig(ctx context.Context, portalID string) (protocol.CustomerClientConfig, error) {
	site, err := s.store.SiteSettings(ctx)
	if err != nil {
		return protocol.CustomerClientConfig{}, err
	}
	if portalID == "" {
		return portalmodel.DefaultSnapshot(site, s.bannerURL), nil
	}
	p, err := s.store.PortalByID(ctx, portalID)
	if errors.Is(err, store.ErrNotFound) {
		return portalmodel.DefaultSnapshot(site, s.bannerURL), nil
	}
	if err != nil {
		return protocol.CustomerClientConfig{}, err
	}
	return p.Snapshot(site, s.bannerURL), nil
}
