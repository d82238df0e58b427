package hub

import "testing"

func TestSendsVideo(t *testing.T) {
	const data = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sendrecv\r\n"
	for _, tt := range []struct {
		name string
		sdp  string
		want bool
	}{
		{"empty", "", false},
		{"data only", "v=0\r\n" + data, false},
		{"video sendonly", "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\n" + data, true},
		{"video sendrecv", "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n", true},
		{"video recvonly", "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=recvonly\r\n" + data, false},
		{"video inactive", "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=inactive\r\n", false},
		{"video, no direction", "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n", true},
		{"session-level recvonly", "v=0\r\na=recvonly\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n", false},
		{"media overrides session", "v=0\r\na=recvonly\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\n", true},
		{"rejected video", "v=0\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\n", false},
		{"second video sends", "v=0\r\nm=video 9 X 96\r\na=recvonly\r\nm=video 9 X 96\r\na=sendonly\r\n", true},
		{"audio sends", "v=0\r\nm=audio 9 X 111\r\na=sendrecv\r\n", false},
		{"LF line ends", "v=0\nm=video 9 X 96\na=sendonly\n", true},
		{"garbage", "m=\r\na=\r\nm= \r\n\x00\xff", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := sendsVideo(tt.sdp); got != tt.want {
				t.Errorf("sendsVideo(%q) = %v; want %v", tt.sdp, got, tt.want)
			}
		})
	}
}

func FuzzSendsVideo(f *testing.F) {
	f.Add("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\n")
	f.Add("m=video 0\na=recvonly")
	f.Fuzz(func(t *testing.T, sdp string) {
		sendsVideo(sdp) // must not panic
	})
}
