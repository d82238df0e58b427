package scene

import (
	"image"
	"strings"
)

// page is the document on the sheet: an endless list of generated lines,
// some of them overwritten by typing, seen through a window that has
// scrolled down by off pixels. Only the animator touches it once Start has
// returned.
type page struct {
	off   int            // pixels scrolled since Start
	edits map[int]string // lines that typing replaced
	line  int            // the caret's line
	col   int            // the caret's column
	typed int            // characters of typingText consumed
}

// newPage starts the caret on an empty line two thirds down the page.
func newPage(l layout) page {
	p := page{edits: map[int]string{}}
	p.line = p.lineAt(l, l.sheet.Min.Y+l.pageH*2/3)
	p.edits[p.line] = ""
	return p
}

// lineTop returns the screen y of the top of line i.
func (p *page) lineTop(l layout, i int) int {
	return l.sheet.Min.Y + topPadding + i*l.lineH - p.off
}

// lineAt returns the index of the line at screen y; it is negative in the
// padding above the first line.
func (p *page) lineAt(l layout, y int) int {
	return floorDiv(y-l.sheet.Min.Y-topPadding+p.off, l.lineH)
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// text returns line i of the document.
func (p *page) text(l layout, i int) string {
	if i < 0 {
		return ""
	}
	if t, ok := p.edits[i]; ok {
		return t
	}
	return generatedLine(i, l.cols)
}

// lineBox returns line i's rectangle across the sheet.
func (p *page) lineBox(l layout, i int) image.Rectangle {
	top := p.lineTop(l, i)
	return image.Rect(l.sheet.Min.X, top, l.sheet.Max.X, top+l.lineH)
}

// caretBox returns the caret's rectangle.
func (p *page) caretBox(l layout) image.Rectangle {
	x := l.textX + p.col*l.font.width
	y := p.lineTop(l, p.line) + 2
	return image.Rect(x, y, x+caretWidth, y+l.caretH)
}

// baseline returns the screen y of line i's baseline.
func (p *page) baseline(l layout, i int) int {
	return p.lineTop(l, i) + lineLeading/2 + l.font.ascent
}

// drawPage repaints the sheet between screen rows y0 and y1: blank paper,
// then every line that reaches into those rows, then the caret. Text spills
// past y0 and y1 only onto pixels that already show the same text.
func (s *Scene) drawPage(y0, y1 int) {
	l, p := s.lay, &s.page
	y0, y1 = max(y0, l.sheet.Min.Y), min(y1, l.sheet.Max.Y)
	if y0 >= y1 {
		return
	}
	s.fill(s.gc.sheet, image.Rect(l.sheet.Min.X, y0, l.sheet.Max.X, y1))
	for i := p.lineAt(l, y0); i <= p.lineAt(l, y1-1); i++ {
		s.text(s.gc.text, l.textX, p.baseline(l, i), p.text(l, i))
	}
	if c := p.caretBox(l); c.Min.Y < y1 && c.Max.Y > y0 {
		s.fill(s.gc.caret, c)
	}
}

// scrollBy scrolls the page up by d pixels the way an application does:
// CopyArea moves what stays visible, and only the newly exposed rows at the
// bottom are drawn.
func (s *Scene) scrollBy(d int) {
	l := s.lay
	s.page.off += d
	if d >= l.pageH {
		s.drawPage(l.sheet.Min.Y, l.sheet.Max.Y)
		return
	}
	s.copyArea(image.Rect(l.sheet.Min.X, l.sheet.Min.Y+d, l.sheet.Max.X, l.sheet.Max.Y), l.sheet.Min)
	s.drawPage(l.sheet.Max.Y-d, l.sheet.Max.Y)
}

// prepareTyping moves the caret to a fresh line two thirds down the page
// when scrolling has taken its line out of sight.
func (s *Scene) prepareTyping() {
	l, p := s.lay, &s.page
	top := p.lineTop(l, p.line)
	if top >= l.sheet.Min.Y && top+l.lineH <= l.sheet.Max.Y {
		return
	}
	p.line = p.lineAt(l, l.sheet.Min.Y+l.pageH*2/3)
	p.col = 0
	p.edits[p.line] = ""
	s.fill(s.gc.sheet, p.lineBox(l, p.line))
	s.fill(s.gc.caret, p.caretBox(l))
}

// typeChar types the next character of typingText: a letter at the caret,
// a word wrap when the next word would not fit, a new line at '\n'.
func (s *Scene) typeChar() {
	l, p := s.lay, &s.page
	c := typingText[p.typed%len(typingText)]
	p.typed++
	switch {
	case c == '\n':
		s.newLine()
		return
	case c == ' ' && p.col+1+nextWordLen(p.typed) > l.cols:
		s.newLine() // the space becomes the line break
		return
	case p.col >= l.cols:
		s.newLine()
	}
	s.fill(s.gc.sheet, p.caretBox(l))
	s.text(s.gc.text, l.textX+p.col*l.font.width, p.baseline(l, p.line), string(c))
	p.edits[p.line] += string(c)
	p.col++
	s.fill(s.gc.caret, p.caretBox(l))
}

// newLine moves the caret to the start of the next line, which typing
// overwrites, and scrolls it into view if it is below the page.
func (s *Scene) newLine() {
	l, p := s.lay, &s.page
	s.fill(s.gc.sheet, p.caretBox(l))
	p.line++
	p.col = 0
	p.edits[p.line] = ""
	s.fill(s.gc.sheet, p.lineBox(l, p.line))
	if below := p.lineTop(l, p.line) + l.lineH - l.sheet.Max.Y; below > 0 {
		s.scrollBy(below) // draws the caret with the new rows
		return
	}
	s.fill(s.gc.caret, p.caretBox(l))
}

// nextWordLen returns the length of the word starting at position i of the
// endless typingText.
func nextWordLen(i int) int {
	n := 0
	for ; n < len(typingText); n++ {
		c := typingText[(i+n)%len(typingText)]
		if c == ' ' || c == '\n' {
			break
		}
	}
	return n
}

// typingText is what ModeTyping types, over and over.
const typingText = "Thanks for waiting. I can see your screen now, and the error dialog " +
	"is still open in the corner. Could you close it and open the settings page " +
	"again? I will point at the option with my cursor so you can follow along.\n\n" +
	"The update installs in about two minutes. After it finishes, restart the " +
	"application and check that the sync icon turns green. If it stays grey, " +
	"send me the log file from the help menu and we will look at it together.\n\n"

var words = strings.Fields("the a remote support session screen customer representative " +
	"connect share control window click file folder settings network update install " +
	"restart error message dialog button menu option open close save print " +
	"password account user system driver printer report document page line text " +
	"check verify confirm please thanks today again now later before after while " +
	"quickly slowly carefully small large new old green grey blue red")

// generatedLine returns line i of the endless document: words up to a
// ragged right edge within cols characters, with a blank line now and then
// between paragraphs. The same i always gives the same text.
func generatedLine(i, cols int) string {
	h := splitmix(uint64(i))
	if h%7 == 0 {
		return ""
	}
	target := cols - int((h>>8)%uint64(cols/3+1))
	var b strings.Builder
	for r := h; ; {
		r = splitmix(r)
		w := words[r%uint64(len(words))]
		need := len(w)
		if b.Len() > 0 {
			need++
		}
		if b.Len()+need > target {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// splitmix is the SplitMix64 mixing function: a cheap, well-spread hash.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
