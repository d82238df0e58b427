package ui

import (
	"context"
	"sync"
)

// Prompter asks the customer, in the session window, the questions the
// program itself needs answered, as the portal's display options show
// prompts: text links in the chat or pop-ups. Pass it in
// [CustomerOptions]; the window connects it.
type Prompter struct {
	mu  sync.Mutex
	app *customerApp
}

// connect gives the prompter its window's app.
func (p *Prompter) connect(c *customerApp) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.app = c
	p.mu.Unlock()
}

// AskElevation asks whether rep may have the program run with
// administrative rights and returns the customer's answer: false when ctx
// ends first (the prompt is then withdrawn), or when there is no session
// window to ask in. It blocks: call it off Fyne's goroutine.
func (p *Prompter) AskElevation(ctx context.Context, rep string) bool {
	return p.ask(ctx, func(lang string) ElevationPromptTexts { return ElevationPrompt(lang, rep) })
}

// ask shows the prompt texts gives in the session window's language and
// waits for the customer's answer: false when ctx ends first (the prompt
// is then withdrawn), or when there is no session window to ask in.
func (p *Prompter) ask(ctx context.Context, texts func(lang string) ElevationPromptTexts) bool {
	p.mu.Lock()
	c := p.app
	p.mu.Unlock()
	if c == nil {
		return false
	}
	answer := make(chan bool, 1)
	shown := make(chan *CustomerPrompt, 1)
	c.do(func() {
		if c.view == nil || c.view.state == stateEnded {
			answer <- false
			shown <- nil
			return
		}
		t := texts(c.view.setup.Lang)
		shown <- c.view.ask(t.Title, t.Body, t.Allow, t.Deny, func(ok bool) {
			select {
			case answer <- ok:
			default:
			}
		})
	})
	var pr *CustomerPrompt
	select {
	case pr = <-shown:
	case <-ctx.Done():
		return false
	}
	select {
	case ok := <-answer:
		return ok
	case <-ctx.Done():
		if pr != nil {
			c.do(func() { pr.settle(false, false) })
		}
		return false
	}
}
