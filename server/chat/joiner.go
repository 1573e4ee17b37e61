package chat

import "socketlab/app/msg"

// maxJoined bounds a batched frame, in bytes: well under msg.ChatReadLimit,
// which the client holds every frame to. A frame that is bigger alone goes
// alone.
const maxJoined = 32 << 10

// joiner gathers the frames of one writer batch, for a client that reads
// batched frames (msg.ChatEnvelopes), and writes them as one frame, their
// envelopes one per line, in order. A lone frame is written as it is,
// never copied: joining costs only when there is something to save.
type joiner struct {
	write func([]byte) error // writes one frame to the socket

	first []byte // the frame gathered first, while it is alone
	buf   []byte // the joined frame, once there are two or more
	n     int    // frames gathered
}

// add gathers frame, after writing what was gathered first if frame would
// take the batch past maxJoined.
func (j *joiner) add(frame []byte) error {
	if j.n > 0 && j.size()+1+len(frame) > maxJoined {
		if err := j.flush(); err != nil {
			return err
		}
	}
	switch j.n {
	case 0:
		j.first = frame
	case 1:
		j.buf = append(append(append(j.buf[:0], j.first...), msg.ChatBatchSep), frame...)
	default:
		j.buf = append(append(j.buf, msg.ChatBatchSep), frame...)
	}
	j.n++
	return nil
}

func (j *joiner) size() int {
	if j.n == 1 {
		return len(j.first)
	}
	return len(j.buf)
}

// flush writes what was gathered, if anything.
func (j *joiner) flush() error {
	var err error
	switch j.n {
	case 0:
		return nil
	case 1:
		err = j.write(j.first)
	default:
		err = j.write(j.buf)
	}
	j.first, j.n = nil, 0
	j.buf = j.buf[:0]
	return err
}

// release drops the joined frame's memory: a writer is between batches most
// of its life, and an idle socket keeps nothing.
func (j *joiner) release() { j.first, j.buf, j.n = nil, nil, 0 }
