import { assertEquals, assertStringIncludes } from "@std/assert";
import { installCommand, planSystemSetup, SYSTEM_PACKAGES } from "../lib/setup/system.ts";

Deno.test("planSystemSetup() installs as root or with sudo, and otherwise prints the command", () => {
  const missing = ["chromium", "mesa-vulkan-drivers"];
  assertEquals(planSystemSetup({ missing, aptGet: true, root: true, sudo: false }), {
    action: "install",
    prefix: [],
    packages: missing,
  });
  assertEquals(planSystemSetup({ missing, aptGet: true, root: false, sudo: true }), {
    action: "install",
    prefix: ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"],
    packages: missing,
  });
  assertEquals(planSystemSetup({ missing, aptGet: true, root: false, sudo: false }), {
    action: "print",
    command: "sudo apt-get install -y --no-install-recommends chromium mesa-vulkan-drivers",
  });
  assertEquals(
    planSystemSetup({ missing, aptGet: false, root: true, sudo: false }).action,
    "print",
  );
  assertEquals(
    planSystemSetup({ missing: [], aptGet: true, root: true, sudo: false }).action,
    "none",
  );
  assertEquals(
    planSystemSetup({ missing: null, aptGet: false, root: false, sudo: false }).action,
    "none",
  );
});

Deno.test("installCommand() names every package the tests need", () => {
  const all = installCommand();
  for (
    const pkg of ["mesa-vulkan-drivers", "chromium", "fonts-dejavu-core", "dataset-fashion-mnist"]
  ) {
    assertStringIncludes(all, pkg);
  }
  assertEquals(Object.keys(SYSTEM_PACKAGES).length, 4);
});
