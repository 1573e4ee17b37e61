package chat

import (
	"maps"
	"slices"
	"sync"
)

// dirtyRooms are the rooms whose key in the bucket is out of date: presence
// and holds mark them, the bucket's writer takes them. Its lock is taken
// last, under any other.
type dirtyRooms struct {
	mu    sync.Mutex
	rooms map[string]struct{}
	wake  chan struct{} // a room was marked
}

func newDirtyRooms() *dirtyRooms {
	return &dirtyRooms{rooms: map[string]struct{}{}, wake: make(chan struct{}, 1)}
}

func (d *dirtyRooms) mark(room string) {
	d.mu.Lock()
	d.rooms[room] = struct{}{}
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// retry marks room again after a failed write without waking the writer:
// it tries again at the next beat or change, not at once in a loop.
func (d *dirtyRooms) retry(room string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rooms[room] = struct{}{}
}

// take returns the rooms marked and forgets them.
func (d *dirtyRooms) take() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	names := slices.Collect(maps.Keys(d.rooms))
	clear(d.rooms)
	return names
}
