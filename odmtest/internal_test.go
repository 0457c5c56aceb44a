package odmtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestDatabaseNameFitsAndDiffers(t *testing.T) {
	long := "TestSomething/" + strings.Repeat("a very long subtest name ", 10)
	a, b := databaseName(long), databaseName(long)
	if a == b {
		t.Fatalf("the same test got the same name twice: %s", a)
	}
	for _, n := range []string{a, b, databaseName("Test/ü_é"), databaseName("_")} {
		if len(n) > 63 || !strings.HasPrefix(n, "t_") || strings.Contains(n, "__") {
			t.Errorf("database name %q: over 63 bytes, without t_, or with __", n)
		}
		for _, r := range n {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
				t.Errorf("database name %q holds %q", n, r)
			}
		}
	}
	if got := databaseName("TestOrders/Place_Twice"); !strings.HasPrefix(got, "t_testorders_place_twice_") {
		t.Errorf("databaseName(TestOrders/Place_Twice) = %q", got)
	}
}

func TestRemoveStaleDataKeepsLiveProcesses(t *testing.T) {
	ended := exec.Command(os.Args[0], "-test.run=^$")
	if err := ended.Run(); err != nil {
		t.Fatalf("running a process to end: %v", err)
	}
	if !processEnded(ended.Process.Pid) {
		t.Skipf("process %d cannot be probed here (or its id was taken again)", ended.Process.Pid)
	}
	stale, err := os.MkdirTemp("", dataPrefix+strconv.Itoa(ended.Process.Pid)+"-*")
	if err != nil {
		t.Fatal(err)
	}
	live, err := os.MkdirTemp("", dataPrefix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(stale); os.RemoveAll(live) })
	if err := os.WriteFile(filepath.Join(stale, "db.sqlite"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	removeStaleData()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the data of ended process %d is still there: %v", ended.Process.Pid, err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("the data of this process was removed: %v", err)
	}
}
