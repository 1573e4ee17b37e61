package chat

import (
	"encoding/json"
	"sync"
)

// Storage is where a Session keeps what must survive a page reload: the
// session token, nickname, room and outbox. Values are stored as JSON. Get
// leaves v untouched when the key is absent. go-app's app.BrowserStorage
// (ctx.LocalStorage()) satisfies it.
type Storage interface {
	Get(key string, v any) error
	Set(key string, v any) error
	Del(key string)
}

// MemStorage is a Storage in memory, with the same JSON round trip as
// localStorage. Safe for concurrent use.
type MemStorage struct {
	mu sync.Mutex
	m  map[string][]byte
}

// NewMemStorage returns an empty MemStorage.
func NewMemStorage() *MemStorage { return &MemStorage{m: map[string][]byte{}} }

// Get decodes the value at key into v; an absent key leaves v as it is.
func (s *MemStorage) Get(key string, v any) error {
	s.mu.Lock()
	b, ok := s.m[key]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	return json.Unmarshal(b, v)
}

// Set stores v at key as JSON.
func (s *MemStorage) Set(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.m[key] = b
	s.mu.Unlock()
	return nil
}

// Del removes key.
func (s *MemStorage) Del(key string) {
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
}
