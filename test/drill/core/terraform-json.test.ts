import { describe, expect, test } from "vitest";
import { DrillError } from "../../../lib/drill/core/drill-error";
import { terraformString } from "../../../lib/drill/core/terraform-json";
import { caught } from "../../support/errors";

describe("terraformString", () => {
  test("turns $${ and %%{ back into ${ and %{", () => {
    // GIVEN a string with Terraform's escapes
    // WHEN it is read as Terraform would
    // THEN the escapes are undone and the rest stays
    expect(terraformString('echo "$${HOME}" %%{x} 100%', "upload /etc/x")).toBe('echo "${HOME}" %{x} 100%');
  });

  test("throws for a Terraform interpolation, which only a deploy can resolve", () => {
    // GIVEN a string with a real interpolation
    // WHEN it is read as Terraform would
    const error = caught(() => terraformString("addr ${docker_network.x.name}", "upload /etc/x"));

    // THEN the drill refuses it and says where
    expect(error).toBeInstanceOf(DrillError);
    expect(error.message).toContain("upload /etc/x holds a Terraform interpolation");
  });
});
