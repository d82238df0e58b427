package portal

import (
	"fmt"
	"net/mail"
)

// MaxSpecialists is the most external specialists a rep may invite.
const MaxSpecialists = 5

// Functions are the per-portal functions a session may use.
type Functions struct {
	CustomerScreenSharing bool   `json:"customer_screen_sharing"`
	RepScreenSharing      bool   `json:"rep_screen_sharing"`
	RecordCustomerScreen  bool   `json:"record_customer_screen"`
	RecordRepScreen       bool   `json:"record_rep_screen"`
	SendFiles             bool   `json:"send_files"`
	ReceiveFiles          bool   `json:"receive_files"`
	RunAsService          bool   `json:"run_as_service"`
	StartAsService        bool   `json:"start_as_service"`
	UninstallServiceAtEnd bool   `json:"uninstall_service_at_end"`
	SoundOnChat           bool   `json:"sound_on_chat"`
	Annotations           bool   `json:"annotations"`
	MaxExternalSpecialist int    `json:"max_external_specialists"`
	NotificationEmail     string `json:"notification_email,omitempty"`
}

// Validate checks the functions; errors wrap ErrInvalid and name the field.
func (f Functions) Validate() error {
	if f.MaxExternalSpecialist < 0 || f.MaxExternalSpecialist > MaxSpecialists {
		return fmt.Errorf("%w: max_external_specialists %d not in 0..%d", ErrInvalid, f.MaxExternalSpecialist, MaxSpecialists)
	}
	if f.NotificationEmail != "" {
		a, err := mail.ParseAddress(f.NotificationEmail)
		if err != nil || a.Address != f.NotificationEmail {
			return fmt.Errorf("%w: notification_email %q is not a plain e-mail address", ErrInvalid, f.NotificationEmail)
		}
	}
	return nil
}
