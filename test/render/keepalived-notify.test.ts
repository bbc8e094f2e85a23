import { describe, expect, test } from "vitest";
import { KEEPALIVED_NOTIFY_PATH, renderKeepalivedNotifyScript } from "../../lib/render/keepalived-notify";

describe("keepalived notify script", () => {
  test("records the state per instance, refuses odd instance names, and runs the instance's mover on MASTER", () => {
    const script = renderKeepalivedNotifyScript();
    expect(KEEPALIVED_NOTIFY_PATH).toBe("/etc/keepalived/ha-notify.sh");
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
    expect(script).toContain('case "$name" in *[!A-Za-z0-9_.-]*|"") exit 0 ;; esac');
    expect(script).toContain('printf \'%s\\n\' "$state" > "/run/ha/vrrp-$name.state"');
    expect(script).toContain('mover="/usr/local/sbin/ha-move-$name"');
    expect(script).toContain('if [ "$state" = MASTER ] && [ -x "$mover" ]; then "$mover" master; fi');
    // the claim script (ARP probe guard) hears every transition, in lower case
    expect(script).toContain('claim="/usr/local/sbin/ha-claim-$name"');
    expect(script).toContain(
      'MASTER) "$claim" master ;; BACKUP) "$claim" backup ;; FAULT) "$claim" fault ;; STOP) "$claim" stop ;;',
    );
  });
});
