package manifest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// cronShortcuts are Copilot's schedule keywords as EventBridge crons.
var cronShortcuts = map[string]string{
	"@yearly":   "cron(0 0 1 1 ? *)",
	"@annually": "cron(0 0 1 1 ? *)",
	"@monthly":  "cron(0 0 1 * ? *)",
	"@weekly":   "cron(0 0 ? * SUN *)",
	"@daily":    "cron(0 0 * * ? *)",
	"@midnight": "cron(0 0 * * ? *)",
	"@hourly":   "cron(0 * * * ? *)",
}

func (d *decoder) schedule(n *yaml.Node, w *Workload) {
	d.Mapping(n, "on", fields{Known: []string{"schedule"}}, func(_ string, _, v *yaml.Node) {
		s, ok := d.NonEmpty(v, "on.schedule")
		if !ok {
			return
		}
		expr, err := scheduleExpression(strings.TrimSpace(s))
		if err != nil {
			d.Errorf(v, "on.schedule", "%v", err)
			return
		}
		w.Job.Schedule = expr
	})
}

// scheduleExpression turns Copilot's schedule forms into EventBridge's:
// keywords, "@every <duration>", rate(...) and cron(...) as written, and
// a five-field cron, which EventBridge writes with six fields and a "?".
func scheduleExpression(s string) (string, error) {
	switch {
	case s == "none":
		return s, nil
	case cronShortcuts[s] != "":
		return cronShortcuts[s], nil
	case strings.HasPrefix(s, "@every "):
		return every(strings.TrimSpace(strings.TrimPrefix(s, "@every ")))
	case strings.HasPrefix(s, "rate(") && strings.HasSuffix(s, ")"):
		return s, checkRate(strings.TrimSuffix(strings.TrimPrefix(s, "rate("), ")"))
	case strings.HasPrefix(s, "cron(") && strings.HasSuffix(s, ")"):
		return s, nil
	}
	return cron(s)
}

// checkRate checks EventBridge's rate(N unit): a positive whole N, and
// minute, hour or day, singular for 1 and plural otherwise.
func checkRate(s string) error {
	value, unit, _ := strings.Cut(s, " ")
	n, err := strconv.Atoi(value)
	singular := strings.TrimSuffix(unit, "s")
	if err != nil || n < 1 || !slices.Contains([]string{"minute", "hour", "day"}, singular) || (n == 1) != (unit == singular) {
		return fmt.Errorf("rate must be rate(N minutes|hours|days), rate(1 minute|hour|day), got \"rate(%s)\"", s)
	}
	return nil
}

// every turns a duration into rate(...): whole minutes, in the largest
// unit that divides it.
func every(s string) (string, error) {
	dur, err := time.ParseDuration(s)
	if err != nil || dur < time.Minute || dur%time.Minute != 0 {
		return "", fmt.Errorf("@every needs a whole number of minutes, at least 1m, got %q", s)
	}
	minutes := int(dur / time.Minute)
	n, unit := minutes, "minute"
	switch {
	case minutes%(24*60) == 0:
		n, unit = minutes/(24*60), "day"
	case minutes%60 == 0:
		n, unit = minutes/60, "hour"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("rate(%d %s)", n, unit), nil
}

// cron turns "M H DoM Mon DoW" into EventBridge's cron(M H DoM Mon DoW Y):
// one of the two day fields must be "?", and days of the week count from
// 1 (Sunday) instead of 0.
func cron(s string) (string, error) {
	f := strings.Fields(s)
	if len(f) != 5 {
		return "", fmt.Errorf("must be a keyword (@daily, ...), @every <duration>, rate(...), cron(...), none or a five-field cron, got %q", s)
	}
	dow, err := weekdays(f[4])
	if err != nil {
		return "", err
	}
	switch {
	case f[4] == "*" || f[4] == "?":
		// EventBridge takes "?" in one day field only.
		f[4] = "?"
		if f[2] == "?" {
			f[2] = "*"
		}
	case f[2] == "*" || f[2] == "?":
		f[2], f[4] = "?", dow
	default:
		return "", fmt.Errorf("EventBridge cannot take both a day of the month (%s) and a day of the week (%s)", f[2], f[4])
	}
	return "cron(" + strings.Join(f, " ") + " *)", nil
}

// weekdays shifts numeric days of the week from cron's 0-7 (0 and 7 are
// Sunday) to EventBridge's 1-7; names stay.
func weekdays(field string) (string, error) {
	parts := strings.Split(field, ",")
	for i, part := range parts {
		base, step, hasStep := strings.Cut(part, "/")
		ends := strings.Split(base, "-")
		for j, e := range ends {
			n, err := strconv.Atoi(e)
			if err != nil {
				continue // a name, "*" or "?"
			}
			if n < 0 || n > 7 {
				return "", fmt.Errorf("day of the week %d is not 0-7", n)
			}
			ends[j] = strconv.Itoa(n%7 + 1)
		}
		parts[i] = strings.Join(ends, "-")
		if hasStep {
			parts[i] += "/" + step
		}
	}
	return strings.Join(parts, ","), nil
}
