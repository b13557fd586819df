// Must type-check, with `tsc --noEmit --strict`, against the generated contracts/types.ts
// (tests/ecosystem/test_types_compile.py): what a backend team writes with these types.
import type { Database, ExportV2, Json } from "../../../contracts/types";

type Functions = Database["public"]["Functions"];

// supabase-js's `rpc()`, reduced to its types: the function's name picks its arguments and result.
declare function rpc<F extends keyof Functions>(fn: F, args: Functions[F]["Args"]): Promise<Functions[F]["Returns"]>;

export async function examples(pupil: string): Promise<string[]> {
  const mine: ExportV2 = await rpc("export_my_data", {});
  const version: "2.0" = mine.schema_version;
  const className: string | null = mine.subject ? mine.subject.class : null;
  const theirs: ExportV2 = await rpc("export_user_data", { user_id: pupil });
  const activities: string[] = theirs.data.student_activities.map((a) => a.created_at);
  const answers: Json[] = theirs.data.ai_survey_responses.map((r) => r.answers);

  const left = await rpc("mark_pupil_left", { user_id: pupil, left_on: "2026-07-01" });
  const deletedBefore: string = left.deleted_before;
  const undone = await rpc("unmark_pupil_left", { user_id: pupil });
  const cleared: null = undone.left_on;

  const restricted = await rpc("restrict_processing", { reason: "objection" });
  const isRestricted: true = restricted.restricted;
  const teacher: boolean = await rpc("is_teacher", {});
  const directory = await rpc("school_directory", {});
  const names: (string | null)[] = directory.map((d) => d.display_name);

  return [version, className ?? "", deletedBefore, String(cleared), String(isRestricted), String(teacher), ...activities,
    ...names.map((n) => n ?? ""), String(answers.length)];
}
