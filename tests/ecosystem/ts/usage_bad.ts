// Must NOT type-check (tests/ecosystem/test_types_compile.py): a wrong argument type is caught,
// so the check of usage_ok.ts cannot pass vacuously (e.g. with everything typed as any).
import type { Database } from "../../../contracts/types";

type Functions = Database["public"]["Functions"];

declare function rpc<F extends keyof Functions>(fn: F, args: Functions[F]["Args"]): Promise<Functions[F]["Returns"]>;

export async function wrong(): Promise<void> {
  await rpc("mark_pupil_left", { user_id: 42 }); // EXPECTED ERROR: a number is not a uuid string
}
