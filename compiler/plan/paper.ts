// The measurements of the paper's Tables 3-4 (appendix D) and the recipe that reproduces each run.
// Memory is "Max memory in GB allocated"; reserved is "Max memory in GB reserved"; time is seconds per
// 1k generator images. The planner's test (test/compiler/plan/tables.test.ts) and docs/plan.md use them.
export interface PaperRow {
  recipe: string; // path under recipes/
  table: 3 | 4;
  row: string; // how the paper labels the column / method
  allocated_gb: number;
  reserved_gb: number;
  seconds_per_1k: number;
}

export const PAPER_ROWS: readonly PaperRow[] = [
  { recipe: 'sana-600m-512.sid', table: 3, row: 'SANA 0.6B 512, AMP', allocated_gb: 38, reserved_gb: 42, seconds_per_1k: 16 },
  { recipe: 'sana-1600m-512.sid', table: 3, row: 'SANA 1.6B 512, AMP', allocated_gb: 65, reserved_gb: 74, seconds_per_1k: 19 },
  { recipe: 'sana-sprint-600m-1024.sid', table: 3, row: 'SANA 0.6B 1024 (TrigFlow), AMP', allocated_gb: 66, reserved_gb: 70, seconds_per_1k: 49 },
  { recipe: 'sana-sprint-1600m-1024.sid', table: 3, row: 'SANA 1.6B 1024 (TrigFlow), AMP', allocated_gb: 71, reserved_gb: 77, seconds_per_1k: 108 },
  { recipe: 'sd3-medium-amp.sid', table: 4, row: 'SD3-Medium, SiD AMP', allocated_gb: 57, reserved_gb: 67, seconds_per_1k: 150 },
  { recipe: 'sd35-medium-amp.sid', table: 4, row: 'SD3.5-Medium, SiD AMP', allocated_gb: 62, reserved_gb: 73, seconds_per_1k: 230 },
  { recipe: 'sd35-large-amp.sid', table: 4, row: 'SD3.5-Large, SiD AMP', allocated_gb: 72, reserved_gb: 77, seconds_per_1k: 1000 },
  { recipe: 'sd3-medium-bf16.sid', table: 4, row: 'SD3-Medium, SiD BF16', allocated_gb: 47, reserved_gb: 55, seconds_per_1k: 120 },
  { recipe: 'sd35-medium-bf16.sid', table: 4, row: 'SD3.5-Medium, SiD BF16', allocated_gb: 69, reserved_gb: 78, seconds_per_1k: 200 },
  { recipe: 'sd35-large-bf16.sid', table: 4, row: 'SD3.5-Large, SiD BF16', allocated_gb: 56, reserved_gb: 70, seconds_per_1k: 550 },
  { recipe: 'flux-dev-512.sid', table: 4, row: 'FLUX.1-dev 512, SiD BF16', allocated_gb: 60, reserved_gb: 74, seconds_per_1k: 650 },
  { recipe: 'flux-dev-1024.sid', table: 4, row: 'FLUX.1-dev 1024, SiD BF16 (8 x B200)', allocated_gb: 146, reserved_gb: 165, seconds_per_1k: 720 },
  { recipe: 'sid2a-sd3-medium.sid', table: 4, row: 'SD3-Medium, SiD2a BF16', allocated_gb: 47, reserved_gb: 56, seconds_per_1k: 138 },
  { recipe: 'sid2a-sd35-medium.sid', table: 4, row: 'SD3.5-Medium, SiD2a BF16', allocated_gb: 69, reserved_gb: 78, seconds_per_1k: 240 },
  { recipe: 'sid2a-sd35-large.sid', table: 4, row: 'SD3.5-Large, SiD2a BF16', allocated_gb: 62, reserved_gb: 73, seconds_per_1k: 670 },
];

/** The tolerance the planner is held to on allocated memory, every row (test/compiler/plan/tables.test.ts). */
export const MEMORY_TOLERANCE = 0.25;
