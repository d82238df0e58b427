package ui

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/assets"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
)

// CustomerOptions configure the customer client.
type CustomerOptions struct {
	// JoinURL is a session key link; with it the client joins at once.
	JoinURL string
	// Name is the name the representative sees.
	Name string
	// Lang is the locale for texts, such as "de_DE.UTF-8"; zero means English.
	Lang string
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

type customerApp struct {
	win  fyne.Window
	opts CustomerOptions
	log  *slog.Logger
	form *JoinForm
	view *CustomerView
	cust *client.Customer
	done chan struct{}
}

// NewCustomerWindow returns the customer client's window: joining at once
// with a link, or asking for the code.
func NewCustomerWindow(a fyne.App, opts CustomerOptions) fyne.Window {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	c := &customerApp{opts: opts, log: opts.Logger, done: make(chan struct{})}
	c.win = a.NewWindow("Tandem Support")
	c.win.SetIcon(Icon)
	c.win.Resize(fyne.NewSize(520, 640))
	c.win.SetOnClosed(c.close)
	if opts.JoinURL != "" {
		cfg, code, err := client.ParseJoinURL(opts.JoinURL)
		if err != nil {
			c.showForm(JoinValues{Name: opts.Name})
			c.form.ShowError(err.Error())
			return c.win
		}
		c.connecting()
		c.join(cfg, code, opts.Name)
		return c.win
	}
	c.showForm(JoinValues{Name: opts.Name})
	return c.win
}

func (c *customerApp) t(key string) string { return assets.Text(c.opts.Lang, key) }

func (c *customerApp) showForm(v JoinValues) {
	c.form = NewJoinForm(c.opts.Lang, v, func(v JoinValues) {
		c.form.Button.Disable()
		c.form.Message.SetText(c.t("join.connecting"))
		go func() {
			// Typed by hand, the server is trusted on first sight for this
			// connection; links and downloads carry the fingerprint.
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			fp, err := client.FetchFingerprint(ctx, v.Server)
			if err != nil {
				fyne.Do(func() { c.form.ShowError(err.Error()) })
				return
			}
			fyne.Do(func() { c.join(client.Config{Server: v.Server, Fingerprint: fp}, v.Code, v.Name) })
		}()
	})
	c.win.SetContent(c.form.Content)
}

func (c *customerApp) connecting() {
	l := widget.NewLabel(c.t("join.connecting"))
	c.win.SetContent(container.NewCenter(l))
}

func (c *customerApp) join(cfg client.Config, code, name string) {
	cfg.Logger = c.log
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cust, err := client.Join(ctx, cfg, code, name)
		fyne.Do(func() {
			if err != nil {
				if c.form == nil {
					c.showForm(JoinValues{Server: cfg.Server, Code: code, Name: name})
				}
				c.form.ShowError(friendly(err))
				return
			}
			c.joined(cust)
		})
	}()
}

func (c *customerApp) joined(cust *client.Customer) {
	c.cust = cust
	s := cust.Session()
	c.view = NewCustomerView(c.win, c.opts.Lang, func(text string) {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := s.SendChat(ctx, text); err != nil {
				fyne.Do(func() { c.view.Chat.Notice(friendly(err)) })
			}
		}()
	}, func() {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = s.End(ctx, "ended by the customer")
		}()
	})
	c.win.SetContent(c.view.Content)
	seen := map[string]bool{}
	go pumpSession(s, c.done, func(ev client.Event) {
		switch e := ev.(type) {
		case client.SessionChanged:
			for _, p := range e.Info.Participants {
				if p.Role != protocol.RoleCustomer && !seen[p.ID] {
					seen[p.ID] = true
					c.view.ChattingWith(p.Name)
					c.view.Chat.Notice(fmt.Sprintf(c.t("chat.with"), p.Name))
				}
			}
		case client.ChatReceived:
			c.view.Chat.Append(e.Message)
		case client.ConnectionChanged:
			c.view.Connection(e.Connected)
		case client.SessionEnded:
			c.view.Ended()
		}
	})
}

// close leaves the session when the customer closes the window.
func (c *customerApp) close() {
	select {
	case <-c.done:
		return
	default:
	}
	close(c.done)
	if c.cust == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = c.cust.Session().End(ctx, "the customer closed the window")
	_ = c.cust.Close()
}
