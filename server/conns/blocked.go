package conns

// WriteBlocked reports whether the peer is what holds the socket's output
// back: the kernel would not take more now (its send buffer is full, or
// past Options.MaxUnsent unsent bytes). A handler whose queue for the
// socket is long can tell from it whose backlog that is: the peer's, when
// writes are blocked; the server's own, when the socket would take more
// but the writer did not get to it (the CPUs were busy elsewhere). It
// reports true when it cannot tell (TLS, a tapped socket), so that a
// caller falls back to taking a long queue for a slow peer.
func (c *Conn) WriteBlocked() bool {
	if c.net == nil || c.net.raw == nil {
		return true
	}
	var blocked bool
	if err := c.net.raw.Control(func(fd uintptr) { blocked = !pollWritable(fd) }); err != nil {
		return true // closed: nothing can be written
	}
	return blocked
}
