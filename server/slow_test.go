package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/protocol"
	"github.com/tandemhq/tandem/server/servertest"
)

// TestSlowClientDisconnected floods a rep that does not read: the hub
// disconnects it instead of blocking, and keeps serving.
func TestSlowClientDisconnected(t *testing.T) {
	h := servertest.Start(t)
	a := newAPI(t, h)
	s := startSession(t, a, h.AdminUser, h.AdminPassword)

	errs := make(chan protocol.Error, 1)
	go func() {
		defer close(errs)
		for {
			env, err := s.cust.readEnv()
			if err != nil {
				return
			}
			if env.Type == protocol.TypeError {
				var e protocol.Error
				json.Unmarshal(env.Data, &e)
				errs <- e
				return
			}
		}
	}()
	sdp := strings.Repeat("a", protocol.MaxFrameBytes-1024)
	var got protocol.Error
	for i := 0; ; i++ {
		if i == 20000 {
			t.Fatal("20000 signals to a rep who does not read and still connected")
		}
		select {
		case got = <-errs:
		default:
			s.cust.send(protocol.TypeSignal, uint64(i+1), s.id, protocol.Signal{To: s.repID, Kind: protocol.SignalOffer, SDP: sdp})
			continue
		}
		break
	}
	if got.Code != protocol.CodeNotFound || !strings.Contains(got.Message, "not connected") {
		t.Errorf("after the flood: %+v; want not_found: the participant is not connected", got)
	}
	// The rep's console reconnects and the session carries on.
	rep, _ := mustDial(t, a, s.repTok)
	rep.expect(protocol.TypeSessionState, nil)
	if r := a.do(t, "GET", protocol.PathHealth, "", nil); r.status != 200 {
		t.Errorf("healthz = %d; want 200", r.status)
	}
}
