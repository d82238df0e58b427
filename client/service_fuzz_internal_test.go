package client

import (
	"encoding/json"
	"testing"

	"github.com/tandemhq/tandem/protocol"
)

// FuzzServiceMessage: whatever arrives on the control channel as a
// service message, decoding and validating it never panics, and what
// passes validation encodes again and passes once more.
func FuzzServiceMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"service.request"}`,
		`{"type":"service.query"}`,
		`{"type":"service.allowed","allowed":true}`,
		`{"type":"service.result","outcome":"failed","reason":"systemctl start: exit status 1"}`,
		`{"type":"service.result","outcome":"unknown"}`,
		`{"type":"service.request","args":["-c","id"]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m serviceMsg
		if protocol.UnmarshalStrict(data, &m) != nil || m.validate() != nil {
			return
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("a valid %+v does not encode: %v", m, err)
		}
		var back serviceMsg
		if err := protocol.UnmarshalStrict(b, &back); err != nil || back != m || back.validate() != nil {
			t.Fatalf("%s: got %+v, %v; want %+v again", b, back, err, m)
		}
	})
}
