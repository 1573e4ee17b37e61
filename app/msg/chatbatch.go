package msg

import "bytes"

// ChatBatchSep separates the envelopes of a batched server frame (see
// Chat): a newline, which json.Marshal escapes inside strings and never
// writes between tokens, so it can only ever be a separator.
const ChatBatchSep = '\n'

// ChatEnvelopes returns the envelopes of a server frame, in order: the
// frame itself when it holds one, each line of a batched frame otherwise.
// Empty lines are skipped. The slices share frame's memory.
func ChatEnvelopes(frame []byte) [][]byte {
	if bytes.IndexByte(frame, ChatBatchSep) < 0 {
		return [][]byte{frame}
	}
	parts := bytes.Split(frame, []byte{ChatBatchSep})
	envs := parts[:0]
	for _, p := range parts {
		if len(bytes.TrimSpace(p)) > 0 {
			envs = append(envs, p)
		}
	}
	return envs
}
