package msg

import "testing"

func TestCloseCodeString(t *testing.T) {
	for code, want := range map[CloseCode]string{
		CloseNormal:     "1000 normal closure",
		CloseTooBig:     "1009 message too big",
		CloseCode(4000): "4000",
	} {
		if got := code.String(); got != want {
			t.Errorf("CloseCode(%d).String() = %q, want %q", int(code), got, want)
		}
	}
}
