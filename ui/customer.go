package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/assets"
	"github.com/tandemhq/tandem/protocol"
)

// JoinValues are what the customer's join screen collects.
type JoinValues struct {
	Server, Code, Name string
}

// JoinForm is the customer client's first screen when it was started
// without a link.
type JoinForm struct {
	Server, Code, Name *widget.Entry
	Button             *widget.Button
	Message            *widget.Label
	Content            fyne.CanvasObject

	lang string
}

// NewJoinForm returns the join screen in language lang; onJoin receives a
// normalised 9-digit code.
func NewJoinForm(lang string, v JoinValues, onJoin func(JoinValues)) *JoinForm {
	t := func(k string) string { return assets.Text(lang, k) }
	f := &JoinForm{Server: widget.NewEntry(), Code: widget.NewEntry(), Name: widget.NewEntry(), Message: widget.NewLabel(""), lang: lang}
	f.Server.SetText(v.Server)
	f.Server.SetPlaceHolder("https://support.example.com:8443")
	f.Code.SetText(v.Code)
	f.Code.SetPlaceHolder("123 456 789")
	f.Name.SetText(v.Name)
	f.Message.Wrapping = fyne.TextWrapWord
	f.Message.Importance = widget.DangerImportance
	submit := func() {
		code := protocol.NormalizeCode(f.Code.Text)
		if protocol.ValidateCode(code) != nil {
			f.Message.SetText(t("join.bad_code"))
			return
		}
		f.Message.SetText("")
		onJoin(JoinValues{Server: strings.TrimSpace(f.Server.Text), Code: code, Name: strings.TrimSpace(f.Name.Text)})
	}
	f.Code.OnSubmitted = func(string) { submit() }
	f.Button = widget.NewButtonWithIcon(t("join.button"), theme.NavigateNextIcon(), submit)
	f.Button.Importance = widget.HighImportance
	intro := widget.NewLabel(t("join.intro"))
	intro.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(t("join.server"), f.Server),
		widget.NewFormItem(t("join.code"), f.Code),
		widget.NewFormItem(t("join.name"), f.Name),
	)
	title := widget.NewLabelWithStyle(t("join.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	f.Content = container.NewPadded(container.NewVBox(title, intro, form, f.Button, f.Message))
	return f
}

// ShowError shows why joining failed.
func (f *JoinForm) ShowError(msg string) {
	f.Message.SetText(msg)
	f.Button.Enable()
}

// CustomerView is the customer's session window: status, chat and a way out.
type CustomerView struct {
	Title   *widget.Label
	Body    *widget.Label
	Chat    *ChatView
	End     *widget.Button
	Content fyne.CanvasObject

	lang    string
	bodyBox *fyne.Container
}

// NewCustomerView returns the session screen, showing the waiting state.
func NewCustomerView(win fyne.Window, lang string, onSend func(string), onEnd func()) *CustomerView {
	t := func(k string) string { return assets.Text(lang, k) }
	v := &CustomerView{Title: widget.NewLabel(t("wait.title")), Body: widget.NewLabel(t("wait.body")), lang: lang}
	v.Title.TextStyle.Bold = true
	// One line: a wrapping label beside the button would ask for a height
	// the window cannot have.
	v.Title.Truncation = fyne.TextTruncateEllipsis
	v.Body.Wrapping = fyne.TextWrapWord
	v.Chat = NewChatView(t("chat.send"), t("chat.placeholder"), onSend)
	v.End = widget.NewButtonWithIcon(t("end.button"), theme.CancelIcon(), func() {
		confirmEnd(win, t("end.button"), t("end.confirm_body"), onEnd)
	})
	v.End.Importance = widget.DangerImportance
	// The body wraps inside a box of fixed width: a wrapping label measured
	// before its first layout asks for one word per line.
	v.bodyBox = container.NewGridWrap(fyne.NewSize(480, 64), v.Body)
	top := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewVBox(v.End), v.Title), v.bodyBox)
	v.Content = container.NewBorder(top, nil, nil, nil, v.Chat.Content)
	return v
}

// ChattingWith shows that a representative joined.
func (v *CustomerView) ChattingWith(name string) {
	v.Title.SetText(fmt.Sprintf(assets.Text(v.lang, "chat.with"), name))
	v.Body.SetText("")
	v.bodyBox.Hide()
}

// Connection shows an interrupted connection, or clears the notice.
func (v *CustomerView) Connection(up bool) {
	if up {
		v.Body.SetText("")
		v.bodyBox.Hide()
		return
	}
	v.Body.SetText(assets.Text(v.lang, "conn.lost"))
	v.bodyBox.Show()
}

// Ended shows the end of the session and disables chat.
func (v *CustomerView) Ended() {
	v.Title.SetText(assets.Text(v.lang, "ended.title"))
	v.Body.SetText(assets.Text(v.lang, "ended.body"))
	v.bodyBox.Show()
	v.Chat.Entry.Disable()
	v.Chat.Send.Disable()
	v.End.Disable()
}
