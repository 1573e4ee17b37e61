package chat

import (
	"encoding/json"

	"socketlab/app/msg"
)

// HandleFrame handles a frame from the server: one envelope, or several
// (a batched frame, see msg.ChatEnvelopes), each in turn as Handle does.
// It returns the envelopes it read, in order, for the page to react to
// (scrolling, a form's error), and what to do, all results merged: every
// envelope to send, in order, and the longest retry asked for. A line
// that is not JSON is skipped, as a frame that is not would be.
func (s *Session) HandleFrame(frame []byte) ([]msg.Chat, Result) {
	var envs []msg.Chat
	var res Result
	for _, b := range msg.ChatEnvelopes(frame) {
		var env msg.Chat
		if err := json.Unmarshal(b, &env); err != nil {
			continue
		}
		envs = append(envs, env)
		r := s.Handle(env)
		res.Send = append(res.Send, r.Send...)
		res.RetryIn = max(res.RetryIn, r.RetryIn)
	}
	return envs, res
}
