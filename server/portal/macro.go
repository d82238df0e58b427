package portal

import (
	"fmt"
	"strings"
	"time"
)

// Macros understood in greeting and on-hold messages.
const (
	MacroPosition = "%POSITION_IN_QUEUE%"
	MacroWait     = "%ESTIMATED_WAIT_TIME%"
)

// ExpandQueueMacros replaces MacroPosition and MacroWait in msg with full
// sentences in lang ("en" or "de"; anything else uses English). position < 1
// and an unknown estimate expand to nothing.
func ExpandQueueMacros(msg, lang string, position int, e Estimate) string {
	de := lang == "de"
	pos := ""
	if position >= 1 {
		pos = fmt.Sprintf("You are number %d in the queue.", position)
		if de {
			pos = fmt.Sprintf("Sie sind an Position %d der Warteschlange.", position)
		}
	}
	return strings.TrimSpace(strings.NewReplacer(MacroPosition, pos, MacroWait, waitSentence(de, e)).Replace(msg))
}

func waitSentence(de bool, e Estimate) string {
	if !e.Known {
		return ""
	}
	mins := int(e.Wait.Round(time.Minute) / time.Minute)
	switch {
	case e.OverMax && mins == 1 && de:
		return "Ihre geschätzte Wartezeit beträgt mehr als 1 Minute."
	case e.OverMax && mins == 1:
		return "Your estimated wait time is more than 1 minute."
	case e.OverMax && de:
		return fmt.Sprintf("Ihre geschätzte Wartezeit beträgt mehr als %d Minuten.", mins)
	case e.OverMax:
		return fmt.Sprintf("Your estimated wait time is more than %d minutes.", mins)
	case e.Wait < time.Minute && de:
		return "Ihre geschätzte Wartezeit beträgt weniger als eine Minute."
	case e.Wait < time.Minute:
		return "Your estimated wait time is less than a minute."
	case mins == 1 && de:
		return "Ihre geschätzte Wartezeit beträgt 1 Minute."
	case mins == 1:
		return "Your estimated wait time is 1 minute."
	case de:
		return fmt.Sprintf("Ihre geschätzte Wartezeit beträgt %d Minuten.", mins)
	}
	return fmt.Sprintf("Your estimated wait time is %d minutes.", mins)
}
