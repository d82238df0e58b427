package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"time"
)

// Attachment is a file attached to a Message.
type Attachment struct {
	// Filename is the attachment's file name (no CR/LF).
	Filename string
	// ContentType is its MIME type, such as "application/xml".
	ContentType string
	// Data is its content; it is sent base64-encoded.
	Data []byte
}

// Message is one e-mail to send.
type Message struct {
	// From overrides Config.From when non-empty.
	From string
	// To lists the recipients; at least one is required.
	To []string
	// Subject is the subject line; non-ASCII is RFC 2047 encoded.
	Subject string
	// Body is the UTF-8 plain-text body, sent quoted-printable.
	Body string
	// Attachments are added as multipart/mixed parts.
	Attachments []Attachment
}

func checkHeader(name, v string) error {
	if strings.ContainsAny(v, "\r\n") {
		return fmt.Errorf("%s: %w", name, ErrHeaderInjection)
	}
	return nil
}

func parseAddr(field, v string) (*netmail.Address, error) {
	if err := checkHeader(field, v); err != nil {
		return nil, err
	}
	a, err := netmail.ParseAddress(v)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w: %v", field, v, ErrBadAddress, err)
	}
	return a, nil
}

// build validates m and renders it as RFC 5322 bytes, returning the envelope
// sender and recipients.
func build(m Message, now time.Time, host string) (from string, to []string, data []byte, err error) {
	fa, err := parseAddr("From", m.From)
	if err != nil {
		return "", nil, nil, err
	}
	if len(m.To) == 0 {
		return "", nil, nil, fmt.Errorf("no recipients: %w", ErrBadAddress)
	}
	var toHdr []string
	for _, t := range m.To {
		a, err := parseAddr("To", t)
		if err != nil {
			return "", nil, nil, err
		}
		to = append(to, a.Address)
		toHdr = append(toHdr, a.String())
	}
	if err := checkHeader("Subject", m.Subject); err != nil {
		return "", nil, nil, err
	}
	for _, at := range m.Attachments {
		if err := checkHeader("attachment filename", at.Filename); err != nil {
			return "", nil, nil, err
		}
		if err := checkHeader("attachment content type", at.ContentType); err != nil {
			return "", nil, nil, err
		}
	}
	var id [16]byte
	rand.Read(id[:])
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", fa.String())
	fmt.Fprintf(&b, "To: %s\r\n", strings.Join(toHdr, ", "))
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(id[:]), host)
	b.WriteString("MIME-Version: 1.0\r\n")
	boundary := "tandem-" + hex.EncodeToString(id[:8])
	if len(m.Attachments) > 0 {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n", boundary)
		fmt.Fprintf(&b, "--%s\r\n", boundary)
	}
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")))
	qp.Close()
	if len(m.Attachments) > 0 {
		b.WriteString("\r\n")
	}
	for _, at := range m.Attachments {
		ct := at.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		fmt.Fprintf(&b, "--%s\r\n", boundary)
		fmt.Fprintf(&b, "Content-Type: %s\r\n", ct)
		fmt.Fprintf(&b, "Content-Disposition: %s\r\n", mime.FormatMediaType("attachment", map[string]string{"filename": at.Filename}))
		b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
		enc := base64.StdEncoding.EncodeToString(at.Data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	if len(m.Attachments) > 0 {
		fmt.Fprintf(&b, "--%s--\r\n", boundary)
	}
	return fa.Address, to, b.Bytes(), nil
}
