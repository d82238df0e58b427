package ui

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/tandemhq/tandem/assets"
)

// AppWindow is an application window the customer may choose to share.
type AppWindow struct {
	// ID identifies the window to AppSharing.ShareOnly.
	ID uint64
	// Title is the window's title; App its application's name.
	Title, App string
}

// label is how the window is listed: its title, and the application when
// the title does not name it.
func (w AppWindow) label() string {
	switch {
	case w.Title == "":
		return w.App
	case w.App == "" || strings.Contains(strings.ToLower(w.Title), strings.ToLower(w.App)):
		return w.Title
	}
	return w.Title + " (" + w.App + ")"
}

// AppSharing limits a shared screen to chosen windows.
type AppSharing interface {
	// Windows lists the application windows open now, topmost first.
	Windows() ([]AppWindow, error)
	// ShareOnly shares only the windows with these IDs (and new windows of
	// their applications); none means the whole screen.
	ShareOnly(ids []uint64) error
}

// AppChoice is the "Choose what to share" dialog's content: one check per
// window and a choice of sharing everything.
type AppChoice struct {
	// Everything shares the whole screen; unchecked, only the checked
	// windows are shared.
	Everything *widget.Check
	// Windows has one check per window, in the order listed.
	Windows []*widget.Check
	Content fyne.CanvasObject

	wins []AppWindow
}

// newAppChoice lists wins, with chosen checked (none: everything).
func newAppChoice(lang string, wins []AppWindow, chosen []uint64) *AppChoice {
	c := &AppChoice{wins: wins}
	list := container.NewVBox()
	for _, w := range wins {
		ck := widget.NewCheck(w.label(), nil)
		ck.SetChecked(slices.Contains(chosen, w.ID))
		c.Windows = append(c.Windows, ck)
		list.Add(ck)
	}
	c.Everything = widget.NewCheck(assets.Text(lang, "apps.everything"), func(on bool) {
		for _, ck := range c.Windows {
			if on {
				ck.Disable()
			} else {
				ck.Enable()
			}
		}
	})
	c.Everything.SetChecked(len(chosen) == 0)
	intro := widget.NewLabel(assets.Text(lang, "apps.intro"))
	intro.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(list)
	scroll.SetMinSize(fyne.NewSize(420, 200))
	c.Content = container.NewBorder(container.NewVBox(intro, c.Everything), nil, nil, nil, scroll)
	return c
}

// Chosen returns the IDs of the checked windows, or nil when everything
// is shared.
func (c *AppChoice) Chosen() []uint64 {
	if c.Everything.Checked {
		return nil
	}
	var ids []uint64
	for i, ck := range c.Windows {
		if ck.Checked {
			ids = append(ids, c.wins[i].ID)
		}
	}
	return ids
}

// names are the labels of the chosen windows.
func (c *AppChoice) names() []string {
	var ns []string
	for i, ck := range c.Windows {
		if ck.Checked {
			ns = append(ns, c.wins[i].label())
		}
	}
	return ns
}

// chooseApps asks which windows to share and limits the sharing to them.
func (v *CustomerView) chooseApps() {
	if v.cb.Apps == nil {
		return
	}
	wins, err := v.cb.Apps.Windows()
	if err != nil {
		v.Chat.Notice(fmt.Sprintf(v.t("apps.failed"), err))
		return
	}
	v.appChoice = newAppChoice(v.setup.Lang, wins, v.sharedApps)
	d := dialog.NewCustomConfirm(v.t("apps.title"), v.t("apps.share"), v.t("apps.cancel"), v.appChoice.Content, func(ok bool) {
		if ok {
			v.applyApps(v.appChoice)
		}
	}, v.win)
	d.Show()
}

// applyApps limits the sharing to what c chose, and says so in the chat.
func (v *CustomerView) applyApps(c *AppChoice) {
	ids := c.Chosen()
	if !c.Everything.Checked && len(ids) == 0 {
		v.Chat.Notice(v.t("apps.none"))
		return
	}
	if err := v.cb.Apps.ShareOnly(ids); err != nil {
		v.Chat.Notice(fmt.Sprintf(v.t("apps.failed"), err))
		return
	}
	v.sharedApps = ids
	if ids == nil {
		v.Chat.Notice(v.t("apps.all_shared"))
	} else {
		v.Chat.Notice(fmt.Sprintf(v.t("apps.only"), strings.Join(c.names(), ", ")))
	}
}
