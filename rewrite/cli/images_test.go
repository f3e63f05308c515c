package cli

import (
	"bytes"
	"testing"

	"github.com/rofix/rofix/rewrite/policy"
)

// TestDescribeEvidence: "rofix images NAME:TAG" shows each fact with the
// tag range that states it and its evidence (the quote, and the line on
// GitHub or in another repository), the version the tag stands for, the
// base entry inherited, and a cond verdict's checks.
func TestDescribeEvidence(t *testing.T) {
	k, err := policy.ParseTable([]byte(`
- name: php apache
  match: ["php:*apache*"]
  tmpfs:
    - path: /run
      evidence: ['docker-library/php@445bf41 apache2-foreground#L14 ": "${APACHE_RUN_DIR:=/var/run/apache2}""']
  verdict: "yes"
  confidence: verified
- name: drupal
  match: [drupal]
  from:
    value: "php:*-apache"
    evidence: ['docker-library/drupal@0123abc 11.1/php8.3/apache-bookworm/Dockerfile#L7 "FROM php:8.3-apache-bookworm"']
  latest: "11"
  read: "2026-12-07"
  verdict: cond
  checks:
    - env: DRUPAL_X
      unset: true
      why: it writes settings.php
      evidence: ['gitlab.com/example/drupal@89abcdef docker-entrypoint.sh#L3-L5 "if [ -n "$DRUPAL_X" ]; then"']
  ranges:
    - versions: "<11"
      volumes: [/var/www/html/sites]
  confidence: verified
  sources: [docker-library/docs drupal/content.md]
`))
	if err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	if code := runImages(k, []string{"drupal:10-apache"}, &out, &errs); code != ExitOK {
		t.Fatalf("runImages = %d, %s", code, errs.String())
	}
	const want = `image:      drupal:10-apache
normalised: drupal (tag 10-apache)
verdict:    cond
tmpfs:      /run /tmp
volumes:    /var/www/html/sites
no_tmpfs:   -
env:        -
check:      DRUPAL_X unset (it writes settings.php)

entry "drupal" (verdict cond, confidence verified)
  match:      drupal
  tag:        version 10, ranges <11
  from:       php:*-apache (entries php apache)
  facts:
    volume /var/www/html/sites (tags <11)
      no evidence
    from php:*-apache
      "FROM php:8.3-apache-bookworm"
      https://github.com/docker-library/drupal/blob/0123abc/11.1/php8.3/apache-bookworm/Dockerfile#L7
    check DRUPAL_X unset
      "if [ -n "$DRUPAL_X" ]; then"
      gitlab.com/example/drupal@89abcdef docker-entrypoint.sh#L3-L5
  sources:    docker-library/docs drupal/content.md

entry "php apache" (verdict cond, confidence verified)
  match:      php:*apache*
  inherited:  by drupal, built FROM php:*-apache
  facts:
    tmpfs /run
      ": "${APACHE_RUN_DIR:=/var/run/apache2}""
      https://github.com/docker-library/php/blob/445bf41/apache2-foreground#L14
`
	if out.String() != want {
		t.Errorf("rofix images drupal:10-apache printed\n%s\nwant\n%s", out.String(), want)
	}
}
