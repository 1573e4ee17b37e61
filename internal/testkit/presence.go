package testkit

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"socketlab/app/msg"
)

// applyPresence returns the presence view after env, noting any presence
// frame that breaks the protocol's promise: after a join's welcome, one
// full list, then changes that each fit the list (msg.ApplyPresence, as
// the page keeps it). Called with c.mu held.
func (c *ChatClient) applyPresence(env msg.Chat) []string {
	var view []string
	if n := len(c.views); n > 0 {
		view = c.views[n-1]
	}
	switch {
	case env.Type == msg.ChatWelcome:
		return nil // a new join: a new full list comes
	case env.Type != msg.ChatPresence:
		return view
	case view == nil && !env.FullPresence():
		c.badPre = append(c.badPre, fmt.Sprintf("a change before the full list: %+v", env))
	}
	next, ok := msg.ApplyPresence(view, env)
	if !ok {
		c.badPre = append(c.badPre, fmt.Sprintf("%+v does not fit %q", env, view))
	}
	if next == nil {
		next = []string{}
	}
	return next
}

// WaitPresence waits, from where the last wait stopped, for a presence
// frame after which the client's view is nicks, and returns that frame. It
// fails the test when a presence frame so far did not fit the view: a
// change missed or repeated.
func (c *ChatClient) WaitPresence(nicks ...string) msg.Chat {
	c.t.Helper()
	return c.WaitPresenceWithin(c.Timeout, nicks...)
}

// WaitPresenceWithin is WaitPresence within d.
func (c *ChatClient) WaitPresenceWithin(d time.Duration, nicks ...string) msg.Chat {
	c.t.Helper()
	want := strings.Join(nicks, ",")
	env, _ := c.WaitForView(d, "presence "+want, func(e msg.Chat, view []string) bool {
		return e.Type == msg.ChatPresence && strings.Join(view, ",") == want
	})
	c.CheckPresence()
	return env
}

// CheckPresence fails the test if a presence frame did not fit the view.
func (c *ChatClient) CheckPresence() {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.badPre) > 0 {
		c.t.Fatalf("%s: presence broken: %s", c.Name, strings.Join(c.badPre, "; "))
	}
}

// Presences is the presence frames received so far, as JSON.
func (c *ChatClient) Presences() []string {
	var ps []string
	for _, e := range c.All() {
		if e.Type == msg.ChatPresence {
			b, _ := json.Marshal(e)
			ps = append(ps, string(b))
		}
	}
	return ps
}
