package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/store"
)

// keyRefusal is the answer to a code whose key cannot be used: unknown,
// spent or expired; nil for any other error.
func keyRefusal(err error) *apiError {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return apiErr(http.StatusNotFound, protocol.CodeNotFound, "no session key has this code; check the digits with your representative")
	case errors.Is(err, store.ErrUsed):
		return apiErr(http.StatusGone, protocol.CodeNotFound, "this code has been used already; ask your representative for a new one")
	case errors.Is(err, store.ErrExpired):
		return apiErr(http.StatusGone, protocol.CodeNotFound, "this code has expired; ask your representative for a new one")
	}
	return nil
}

// codePortal looks up the support site a code was typed into (by its
// slug) and checks, without spending the key, that the code is one of
// that site's: the key was made for it, or by a rep of a team serving
// it. A code typed into one company's SmartPin page is thus refused on
// another's, and the session takes the site's configuration. Unknown,
// spent and expired keys are refused as the join refuses them. Every
// refusal is an *apiError; the caller counts it against the source's
// rate limit.
func (s *Server) codePortal(ctx context.Context, code, slug string, now time.Time) (store.Portal, error) {
	pt, err := s.store.PortalBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return pt, apiErr(http.StatusNotFound, protocol.CodeNotFound, "there is no support site "+slug)
	}
	if err != nil {
		return pt, err
	}
	k, err := s.store.KeyByCode(ctx, code)
	switch {
	case err != nil:
		if ae := keyRefusal(err); ae != nil {
			return pt, ae
		}
		return pt, err
	case !k.Used.IsZero():
		return pt, keyRefusal(store.ErrUsed)
	case !now.Before(k.Expires):
		return pt, keyRefusal(store.ErrExpired)
	}
	if k.PortalID == pt.ID {
		return pt, nil
	}
	ts, err := s.store.TeamsForRep(ctx, k.RepID)
	if err != nil {
		return pt, err
	}
	for _, t := range ts {
		if slices.Contains(t.PortalIDs, pt.ID) {
			return pt, nil
		}
	}
	return pt, apiErr(http.StatusNotFound, protocol.CodeNotFound, "this code is not for "+pt.Name+"; check the digits, or use the support site your representative named")
}
