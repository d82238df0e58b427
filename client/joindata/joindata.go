// Package joindata appends signed join data to the customer client's
// executable and reads it back, so that a customer who runs the file the
// portal served is connected with no typing and no certificate prompt.
//
// # Format
//
// The server appends a trailer to the unchanged executable. ELF, PE and
// Mach-O loaders ignore bytes after the image, so the file still runs.
// From the end of the file backwards:
//
//	magic    8 bytes  "TANDEMJD"
//	flags    2 bytes  little endian, zero in version 1
//	version  2 bytes  little endian, [Version]
//	bodyLen  4 bytes  little endian, length of the body before the footer
//	body:    payloadLen u32 | certLen u32 | sigLen u32 | payload | cert | sig
//
// The payload is the JSON of [Data]; cert is the DER of the server's TLS
// certificate; sig signs "tandem joindata\x00" | version | flags |
// payloadLen | certLen | payload | cert with the certificate's private key
// (ECDSA with SHA-256, RSA-PSS with SHA-256, or Ed25519).
//
// # What this protects against, and what not
//
// The reader verifies the signature with the certificate carried in the
// same trailer, then pins that certificate's SHA-256 for every TLS
// connection. That makes the trailer self-consistent: a changed byte, a
// truncated download, a trailer pieced together from two servers, or a
// copy kept past its expiry is refused, and the client connects only to
// the server that holds the certificate's key — a network attacker
// cannot redirect it, and no certificate warning is ever needed.
//
// It does not prove that the trailer came from a server the customer
// should trust: whoever has any key can sign a trailer naming their own
// server, and whoever can change the file can change the program itself.
// The trust anchor is the HTTPS download from the portal, and, where
// the build pipeline does it, the code signature of the executable
// (Authenticode, Apple notarisation), which does not cover the trailer.
// The join data holds no secret beyond a single-use session code or a
// queue ticket of one session; it does not authenticate the customer to
// anything else.
//
// Limits of appending: bytes after an Authenticode-signed PE make Windows
// report the signature as invalid where strict checking is on, and a
// signed macOS bundle must not change at all; signed builds would carry
// the data elsewhere (the PE certificate table, a file beside the app),
// which this package does not do yet. Browsers drop the executable bit,
// so on Linux and macOS the customer still has to allow the file to run.
package joindata

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"
)

// Version is the trailer format this package writes and reads.
const Version = 1

// Limits of the trailer's parts; a reader refuses anything larger.
const (
	MaxPayloadBytes     = 8 << 10
	MaxCertificateBytes = 16 << 10
	MaxSignatureBytes   = 1 << 10
	// MaxLifetime is the longest validity a trailer may claim.
	MaxLifetime = 7 * 24 * time.Hour
	// ClockSkew is how far before its Issued time a trailer is accepted,
	// for a customer whose clock runs slow.
	ClockSkew = 10 * time.Minute
)

const (
	magic       = "TANDEMJD"
	footerBytes = 16
	lensBytes   = 12
	maxBody     = lensBytes + MaxPayloadBytes + MaxCertificateBytes + MaxSignatureBytes
	signContext = "tandem joindata\x00"
	codeDigits  = 9
	maxTicket   = 256
	maxName     = 80
	maxField    = 2048
)

// Data is what a downloaded client knows before it connects: where to go,
// which certificate to trust there, and what to join with.
type Data struct {
	// Server is the server's https base URL.
	Server string `json:"server"`
	// Portal names the portal the client was downloaded from; optional.
	Portal string `json:"portal,omitempty"`
	// Code is a 9-digit session key code; exactly one of Code and Ticket is set.
	Code string `json:"code,omitempty"`
	// Ticket is a queue ticket: the customer token of a session a portal
	// form already created.
	Ticket string `json:"ticket,omitempty"`
	// Name is the customer's name as a portal form collected it; optional.
	Name string `json:"name,omitempty"`
	// Issued is when the server wrote the trailer.
	Issued time.Time `json:"issued"`
	// Expires is when the trailer stops being accepted.
	Expires time.Time `json:"expires"`
	// Certificate is the DER of the server's TLS certificate: its key signs
	// the trailer and its SHA-256 is pinned for TLS. It travels outside the
	// JSON payload.
	Certificate []byte `json:"-"`
}

// Fingerprint is the lowercase hex SHA-256 of the certificate, the pin
// for TLS connections to the server.
func (d Data) Fingerprint() string {
	sum := sha256.Sum256(d.Certificate)
	return hex.EncodeToString(sum[:])
}

// Validate checks every field; the error wraps [ErrBadData].
func (d Data) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrBadData}, a...)...)
	}
	u, err := url.Parse(d.Server)
	if err != nil || u.Scheme != "https" || u.Host == "" || len(d.Server) > maxField || u.RawQuery != "" || u.Fragment != "" {
		return bad("server %q is not an https:// base URL", d.Server)
	}
	switch {
	case d.Code == "" && d.Ticket == "":
		return bad("neither a session code nor a queue ticket")
	case d.Code != "" && d.Ticket != "":
		return bad("both a session code and a queue ticket")
	case d.Code != "" && !digits(d.Code, codeDigits):
		return bad("session code %q is not %d digits", d.Code, codeDigits)
	case d.Ticket != "" && !printable(d.Ticket, maxTicket):
		return bad("queue ticket is not printable ASCII of at most %d bytes", maxTicket)
	case !printable(d.Portal, maxField):
		return bad("portal is not printable ASCII of at most %d bytes", maxField)
	case len([]rune(d.Name)) > maxName || strings.ContainsFunc(d.Name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return bad("name is over %d characters or holds control characters", maxName)
	case d.Issued.IsZero() || d.Expires.IsZero():
		return bad("issued and expires are required")
	case !d.Expires.After(d.Issued):
		return bad("expires %s is not after issued %s", d.Expires, d.Issued)
	case d.Expires.Sub(d.Issued) > MaxLifetime:
		return bad("valid for %s; at most %s", d.Expires.Sub(d.Issued), MaxLifetime)
	case len(d.Certificate) == 0:
		return bad("no certificate")
	}
	return nil
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func printable(s string, n int) bool {
	if len(s) > n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// Trailer returns the signed trailer for d, to be written after an
// executable. signer must hold the private key of d.Certificate.
func Trailer(d Data, signer crypto.Signer) ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(d.Certificate)
	if err != nil {
		return nil, fmt.Errorf("%w: certificate: %v", ErrBadData, err)
	}
	if len(d.Certificate) > MaxCertificateBytes {
		return nil, fmt.Errorf("%w: certificate of %d bytes; at most %d", ErrBadData, len(d.Certificate), MaxCertificateBytes)
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("%w: the key does not belong to the certificate", ErrKey)
	}
	payload, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadData, err)
	}
	if len(payload) > MaxPayloadBytes {
		return nil, fmt.Errorf("%w: payload of %d bytes; at most %d", ErrBadData, len(payload), MaxPayloadBytes)
	}
	msg := signedBytes(Version, 0, payload, d.Certificate)
	var sig []byte
	switch cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		sum := sha256.Sum256(msg)
		sig, err = signer.Sign(rand.Reader, sum[:], crypto.SHA256)
	case *rsa.PublicKey:
		sum := sha256.Sum256(msg)
		sig, err = signer.Sign(rand.Reader, sum[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256})
	case ed25519.PublicKey:
		sig, err = signer.Sign(rand.Reader, msg, crypto.Hash(0))
	default:
		return nil, fmt.Errorf("%w: %T keys are not supported", ErrKey, cert.PublicKey)
	}
	if err != nil {
		return nil, fmt.Errorf("joindata: sign: %w", err)
	}
	if len(sig) > MaxSignatureBytes {
		return nil, fmt.Errorf("%w: signature of %d bytes; at most %d", ErrKey, len(sig), MaxSignatureBytes)
	}
	body := make([]byte, 0, lensBytes+len(payload)+len(d.Certificate)+len(sig)+footerBytes)
	body = binary.LittleEndian.AppendUint32(body, uint32(len(payload)))
	body = binary.LittleEndian.AppendUint32(body, uint32(len(d.Certificate)))
	body = binary.LittleEndian.AppendUint32(body, uint32(len(sig)))
	body = append(body, payload...)
	body = append(body, d.Certificate...)
	body = append(body, sig...)
	n := len(body)
	body = binary.LittleEndian.AppendUint32(body, uint32(n))
	body = binary.LittleEndian.AppendUint16(body, Version)
	body = binary.LittleEndian.AppendUint16(body, 0)
	body = append(body, magic...)
	return body, nil
}

// Append returns a copy of exe with d's signed trailer after it. An
// executable that already carries join data is refused.
func Append(exe []byte, d Data, signer crypto.Signer) ([]byte, error) {
	if HasTrailer(bytes.NewReader(exe), int64(len(exe))) {
		return nil, fmt.Errorf("%w: the executable already carries join data", ErrBadData)
	}
	t, err := Trailer(d, signer)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(exe)+len(t))
	return append(append(out, exe...), t...), nil
}

// HasTrailer reports whether the last bytes of r are a trailer's magic,
// valid or not.
func HasTrailer(r io.ReaderAt, size int64) bool {
	if size < footerBytes {
		return false
	}
	var m [len(magic)]byte
	if _, err := r.ReadAt(m[:], size-int64(len(magic))); err != nil {
		return false
	}
	return string(m[:]) == magic
}

// signedBytes is what the signature covers.
func signedBytes(version, flags uint16, payload, cert []byte) []byte {
	b := make([]byte, 0, len(signContext)+12+len(payload)+len(cert))
	b = append(b, signContext...)
	b = binary.LittleEndian.AppendUint16(b, version)
	b = binary.LittleEndian.AppendUint16(b, flags)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(cert)))
	b = append(b, payload...)
	return append(b, cert...)
}

// ReadFile reads and verifies the join data of the file at path (the
// client passes its own executable) at time now.
func ReadFile(path string, now time.Time) (Data, error) {
	f, err := os.Open(path)
	if err != nil {
		return Data{}, fmt.Errorf("joindata: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Data{}, fmt.Errorf("joindata: %w", err)
	}
	return Read(f, st.Size(), now)
}

// Read reads the trailer at the end of r (size bytes long), verifies its
// signature with the certificate it carries, checks its fields and that
// now lies within its validity, and returns the data. Every error wraps
// one of this package's sentinels.
func Read(r io.ReaderAt, size int64, now time.Time) (Data, error) {
	if !HasTrailer(r, size) {
		return Data{}, ErrNoData
	}
	var foot [footerBytes]byte
	if _, err := r.ReadAt(foot[:], size-footerBytes); err != nil {
		return Data{}, fmt.Errorf("%w: read footer: %v", ErrCorrupt, err)
	}
	bodyLen := int64(binary.LittleEndian.Uint32(foot[0:]))
	version := binary.LittleEndian.Uint16(foot[4:])
	flags := binary.LittleEndian.Uint16(foot[6:])
	if version != Version {
		return Data{}, fmt.Errorf("%w: version %d; this client reads %d", ErrVersion, version, Version)
	}
	if flags != 0 {
		return Data{}, fmt.Errorf("%w: unknown flags %#x", ErrCorrupt, flags)
	}
	if bodyLen < lensBytes || bodyLen > maxBody || bodyLen > size-footerBytes {
		return Data{}, fmt.Errorf("%w: body length %d", ErrCorrupt, bodyLen)
	}
	body := make([]byte, bodyLen)
	if _, err := r.ReadAt(body, size-footerBytes-bodyLen); err != nil {
		return Data{}, fmt.Errorf("%w: read body: %v", ErrCorrupt, err)
	}
	pl := int64(binary.LittleEndian.Uint32(body[0:]))
	cl := int64(binary.LittleEndian.Uint32(body[4:]))
	sl := int64(binary.LittleEndian.Uint32(body[8:]))
	if pl > MaxPayloadBytes || cl > MaxCertificateBytes || sl > MaxSignatureBytes || lensBytes+pl+cl+sl != bodyLen {
		return Data{}, fmt.Errorf("%w: part lengths %d+%d+%d do not add up to %d", ErrCorrupt, pl, cl, sl, bodyLen-lensBytes)
	}
	payload := body[lensBytes : lensBytes+pl]
	der := body[lensBytes+pl : lensBytes+pl+cl]
	sig := body[lensBytes+pl+cl:]
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return Data{}, fmt.Errorf("%w: certificate: %v", ErrCorrupt, err)
	}
	var alg x509.SignatureAlgorithm
	switch cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		alg = x509.ECDSAWithSHA256
	case *rsa.PublicKey:
		alg = x509.SHA256WithRSAPSS
	case ed25519.PublicKey:
		alg = x509.PureEd25519
	default:
		return Data{}, fmt.Errorf("%w: %T certificate keys are not supported", ErrSignature, cert.PublicKey)
	}
	if err := cert.CheckSignature(alg, signedBytes(version, flags, payload, der), sig); err != nil {
		return Data{}, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	var d Data
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return Data{}, fmt.Errorf("%w: payload: %v", ErrCorrupt, err)
	}
	d.Certificate = bytes.Clone(der)
	if err := d.Validate(); err != nil {
		return Data{}, err
	}
	if now.Before(d.Issued.Add(-ClockSkew)) {
		return Data{}, fmt.Errorf("%w: issued %s, after this computer's time %s", ErrExpired, d.Issued.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	if !now.Before(d.Expires) {
		return Data{}, fmt.Errorf("%w: at %s", ErrExpired, d.Expires.Format(time.RFC3339))
	}
	return d, nil
}
