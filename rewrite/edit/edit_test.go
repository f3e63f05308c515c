package edit

import "testing"

func TestApply(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		edits []Edit
		want  string
	}{
		{"none", "abc", nil, "abc"},
		{"insert", "abc", []Edit{{Start: 1, End: 1, Text: "X"}}, "aXbc"},
		{"replace", "abc", []Edit{{Start: 1, End: 2, Text: "XY"}}, "aXYc"},
		{"unordered", "abc", []Edit{{Start: 3, End: 3, Text: "!"}, {Start: 0, End: 0, Text: ">"}}, ">abc!"},
		{"token before block at EOF", "a: x", []Edit{
			{Start: 4, End: 4, Text: "\nb: 1", Block: true},
			{Start: 4, End: 4, Text: ":ro"},
		}, "a: x:ro\nb: 1"},
		{"equal offsets keep order", "", []Edit{{Text: "1", Block: true}, {Text: "2", Block: true}}, "12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Apply([]byte(tt.src), tt.edits)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestApplyOverlap(t *testing.T) {
	_, err := Apply([]byte("abcdef"), []Edit{{Start: 1, End: 4}, {Start: 2, End: 3}})
	if err == nil {
		t.Fatal("overlapping edits applied without error")
	}
}
