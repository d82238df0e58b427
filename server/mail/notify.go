package mail

import (
	"encoding/xml"
	"fmt"
	"time"
)

// SessionReport is the completed-session notification's XML document.
type SessionReport struct {
	XMLName      xml.Name  `xml:"session"`
	ID           string    `xml:"id"`
	Portal       string    `xml:"portal"`
	CustomerName string    `xml:"customer_name"`
	Reps         []string  `xml:"reps>rep"`
	Start        time.Time `xml:"start"`
	End          time.Time `xml:"end"`
	DurationSec  int64     `xml:"duration_seconds"`
	EndReason    string    `xml:"end_reason"`
	// CustomerRating is the customer's exit survey score (1..5), nil when
	// not answered or declined; CustomerComment its optional comment.
	CustomerRating  *int   `xml:"customer_rating,omitempty"`
	CustomerComment string `xml:"customer_comment,omitempty"`
	// RepRating is the rep's rating of the session (1..5), nil when none.
	RepRating  *int       `xml:"rep_rating,omitempty"`
	Transcript []ChatLine `xml:"transcript>line"`
}

// ChatLine is one line of the chat transcript.
type ChatLine struct {
	// At is when the line was sent.
	At time.Time `xml:"at,attr"`
	// From is the sender's display name.
	From string `xml:"from,attr"`
	// Text is the message.
	Text string `xml:",chardata"`
}

// NotificationMessage builds the completed-session notification to addr: a
// short plain-text body plus the XML report as an application/xml attachment
// (so mail clients show a readable summary and automation parses the file).
func NotificationMessage(addr string, r SessionReport) (Message, error) {
	data, err := xml.MarshalIndent(r, "", "  ")
	if err != nil {
		return Message{}, fmt.Errorf("mail: marshal report: %w", err)
	}
	data = append([]byte(xml.Header), data...)
	return Message{
		To:      []string{addr},
		Subject: "Completed session " + r.ID,
		Body:    fmt.Sprintf("Session %s on portal %s ended (%s). The session data is attached as XML.\n", r.ID, r.Portal, r.EndReason),
		Attachments: []Attachment{{
			Filename: "session-" + r.ID + ".xml", ContentType: "application/xml; charset=utf-8", Data: data,
		}},
	}, nil
}
