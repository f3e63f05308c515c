package learn

import (
	"fmt"
	"slices"
	"sort"

	"github.com/rofix/rofix/rewrite/policy"
)

// Collect merges the proposals of containers into what to record, in the
// order the images first appear. A container compose made (its labels name
// the service) is learned per service: its service gets an entry of its own
// under services:, unless every service of that image learned exactly the
// same, in which case one entry under images: holds it. A service that
// writes into a directory the image ships files in is always recorded per
// service, with no_tmpfs on the directory and verdict no. A container
// compose did not make is recorded under its image, as before.
func Collect(props []Proposal, engine, date string) []Learned {
	type group struct {
		l        Learned
		services []string // keys of the image's compose services, in order
	}
	var order []string // image names, in order of appearance
	images := map[string]*group{}
	services := map[string]*Learned{} // by image and service name
	for _, pr := range props {
		img := policy.NormalizeImage(pr.Container.Image)
		g := images[img]
		if g == nil {
			g = &group{l: Learned{Image: img}}
			images[img] = g
			order = append(order, img)
		}
		source := fmt.Sprintf("rofix learn: container %s on %s (%s diff)", pr.Container.Name, date, engine)
		if name := pr.Container.Service; name != "" {
			// A service name says nothing across images (rofix learn may
			// be given containers of several projects).
			key := img + "\x00" + name
			s := services[key]
			if s == nil {
				s = &Learned{Image: img, Service: name}
				services[key] = s
				g.services = append(g.services, key)
			}
			s.add(pr, source)
			continue
		}
		g.l.add(pr, source)
	}
	var out []Learned
	for _, img := range order {
		g := images[img]
		var own []Learned
		for _, key := range g.services {
			s := services[key]
			s.finish()
			own = append(own, *s)
		}
		if len(g.l.Sources) > 0 {
			g.l.finish()
		}
		if len(own) > 0 && agree(own) && (len(g.l.Sources) == 0 || sameNeeds(g.l, own[0])) {
			l := own[0]
			l.Service, l.Sources = "", nil
			for _, s := range append(own, g.l) {
				for _, src := range s.Sources {
					l.Sources = addUnique(l.Sources, src)
				}
			}
			out = append(out, l)
			continue
		}
		if len(g.l.Sources) > 0 {
			out = append(out, g.l)
		}
		for _, s := range own {
			if !s.empty() {
				out = append(out, s)
			}
		}
	}
	return out
}

// add merges one container's proposal into l.
func (l *Learned) add(pr Proposal, source string) {
	for _, d := range pr.Decls {
		switch {
		case d.Volume:
			l.Volumes = addUnique(l.Volumes, d.Path)
			if d.ImageVolume {
				l.ImageVolumes = addUnique(l.ImageVolumes, d.Path)
			}
		case len(d.Shipped) > 0:
			l.NoTmpfs = addUnique(l.NoTmpfs, d.Path)
		default:
			l.Tmpfs = addUnique(l.Tmpfs, d.Tmpfs())
		}
	}
	if why := pr.ShippedReason(); why != "" && !slices.Contains(l.withheld, why) {
		l.withheld = append(l.withheld, why)
	}
	l.Sources = addUnique(l.Sources, source)
}

// finish drops tmpfs entries on state and no-tmpfs paths, sorts the
// lists, and sets the verdict of a service whose root must stay writable.
func (l *Learned) finish() {
	var tmpfs []string
	for _, t := range l.Tmpfs {
		p := tmpfsPath(t)
		if !contains(l.Volumes, p) && !contains(l.NoTmpfs, p) && !contains(tmpfs, t) {
			tmpfs = append(tmpfs, t)
		}
	}
	l.Tmpfs = tmpfs
	sort.Strings(l.Tmpfs)
	sort.Strings(l.Volumes)
	sort.Strings(l.ImageVolumes)
	sort.Strings(l.NoTmpfs)
	if len(l.withheld) > 0 {
		l.Verdict = "no"
		l.Conditions = joinReasons(l.withheld)
	}
}

// joinReasons joins distinct reasons into one sentence.
func joinReasons(rs []string) string {
	out := rs[0]
	for _, r := range rs[1:] {
		out += "; " + r
	}
	return out
}

// empty reports whether l holds nothing to record: a service override
// without paths or verdict changes nothing.
func (l Learned) empty() bool {
	return len(l.Tmpfs)+len(l.Volumes)+len(l.ImageVolumes)+len(l.NoTmpfs) == 0 && l.Verdict == ""
}

// agree reports whether every service learned the same needs, none of
// them withheld.
func agree(ls []Learned) bool {
	for _, l := range ls {
		if l.Verdict != "" || !sameNeeds(l, ls[0]) {
			return false
		}
	}
	return true
}

// sameNeeds reports whether a and b hold the same paths.
func sameNeeds(a, b Learned) bool {
	return slices.Equal(a.Tmpfs, b.Tmpfs) && slices.Equal(a.Volumes, b.Volumes) &&
		slices.Equal(a.ImageVolumes, b.ImageVolumes) && slices.Equal(a.NoTmpfs, b.NoTmpfs) &&
		a.Verdict == b.Verdict
}

func addUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }
