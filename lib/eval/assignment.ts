/**
 * The best one-to-one mapping of categories to classes (the Hungarian
 * method), used to score an unsupervised categorical code: category k of Q
 * or G has no built-in digit, so it is matched to the digit that makes the
 * most predictions right overall.
 */

/**
 * Solves the square assignment problem: the permutation `p` minimising
 * Σ_i cost[i][p[i]]. O(n³), with row and column potentials (Kuhn–Munkres
 * as shortest augmenting paths). Returns p as row → column.
 */
export function minCostAssignment(cost: readonly (readonly number[])[]): number[] {
  const n = cost.length;
  for (const row of cost) {
    if (row.length !== n) {
      throw new RangeError(
        `minCostAssignment: expected a square matrix, found a row of ${row.length} in ${n}`,
      );
    }
  }
  // 1-based potentials; column 0 is a virtual start column.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const rowOf = new Int32Array(n + 1); // rowOf[j]: row matched to column j, 0 = free
  const prev = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    rowOf[0] = i;
    let col = 0;
    const minSlack = new Float64Array(n + 1).fill(Infinity);
    const visited = new Uint8Array(n + 1);
    do {
      visited[col] = 1;
      const row = rowOf[col];
      let delta = Infinity;
      let next = 0;
      for (let j = 1; j <= n; j++) {
        if (visited[j]) continue;
        const slack = cost[row - 1][j - 1] - u[row] - v[j];
        if (slack < minSlack[j]) {
          minSlack[j] = slack;
          prev[j] = col;
        }
        if (minSlack[j] < delta) {
          delta = minSlack[j];
          next = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (visited[j]) {
          u[rowOf[j]] += delta;
          v[j] -= delta;
        } else {
          minSlack[j] -= delta;
        }
      }
      col = next;
    } while (rowOf[col] !== 0);
    // Flip the augmenting path back to the start column.
    while (col !== 0) {
      const before = prev[col];
      rowOf[col] = rowOf[before];
      col = before;
    }
  }
  const out = new Array<number>(n);
  for (let j = 1; j <= n; j++) out[rowOf[j] - 1] = j - 1;
  return out;
}

/**
 * A k×classes confusion matrix (k×k by default) from paired category and
 * class indices: `counts[category][label]`.
 */
export function confusion(
  categories: ArrayLike<number>,
  labels: ArrayLike<number>,
  k: number,
  classes: number = k,
): number[][] {
  if (categories.length !== labels.length) {
    throw new RangeError(
      `confusion: expected equal lengths, found ${categories.length} and ${labels.length}`,
    );
  }
  const counts = Array.from({ length: k }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < categories.length; i++) {
    const c = categories[i];
    const l = labels[i];
    if (!(c >= 0 && c < k && l >= 0 && l < classes)) {
      throw new RangeError(
        `confusion: expected categories in 0..${k - 1} and classes in 0..${
          classes - 1
        }, found ${c} and ${l} at ${i}`,
      );
    }
    counts[c][l]++;
  }
  return counts;
}

/**
 * The mapping category → class that maximises the matched count in
 * `counts[category][class]`, and the accuracy it gives.
 */
export function bestMapping(
  counts: readonly (readonly number[])[],
): { mapping: number[]; accuracy: number } {
  const mapping = minCostAssignment(counts.map((row) => row.map((c) => -c)));
  const total = counts.flat().reduce((a, b) => a + b, 0);
  const right = mapping.reduce((sum, col, row) => sum + counts[row][col], 0);
  return { mapping, accuracy: total > 0 ? right / total : 0 };
}

/**
 * Each category named by the class most of its items belong to, several
 * categories per class allowed: how an overclustered code (Cat(20) for 10
 * digits) is scored. It can only score at least as high as any one-to-one
 * mapping of the same counts, so it is reported under its own name. A
 * category with no items is named -1 and counts nothing.
 */
export function majorityMapping(
  counts: readonly (readonly number[])[],
): { mapping: number[]; accuracy: number } {
  const mapping = counts.map((row) => {
    const top = Math.max(...row);
    return top > 0 ? row.indexOf(top) : -1;
  });
  const total = counts.flat().reduce((a, b) => a + b, 0);
  const right = mapping.reduce((sum, col, row) => sum + (col >= 0 ? counts[row][col] : 0), 0);
  return { mapping, accuracy: total > 0 ? right / total : 0 };
}

/**
 * How `k` categories are named after `classes` classes: one-to-one
 * (Hungarian) when there are as many of each, else by majority. With fewer
 * categories than classes, majority naming leaves some classes unnamed, so
 * their items count as wrong: the score says how much of the data the
 * categories' partition keeps apart.
 */
export function namingRule(k: number, classes: number): "hungarian" | "majority" {
  return k === classes ? "hungarian" : "majority";
}

/** Names categories from `counts[category][class]` under `rule`. */
export function nameCategories(
  counts: readonly (readonly number[])[],
  rule: "hungarian" | "majority",
): { mapping: number[]; accuracy: number } {
  return rule === "hungarian" ? bestMapping(counts) : majorityMapping(counts);
}

/** category k → digit k: the mapping of a run trained with real labels. */
export function identityMapping(k: number): number[] {
  return Array.from({ length: k }, (_, i) => i);
}

/**
 * Per class, the share of its items whose category `mapping` sends to it:
 * `counts[category][class]` summed down the column, the matched cell over
 * the column's total (0 for a class with no items).
 */
export function perClassRecall(
  counts: readonly (readonly number[])[],
  mapping: readonly number[],
): number[] {
  return Array.from({ length: counts[0]?.length ?? 0 }, (_, cls) => {
    const total = counts.reduce((sum, row) => sum + row[cls], 0);
    const right = counts.reduce((sum, row, cat) => sum + (mapping[cat] === cls ? row[cls] : 0), 0);
    return total > 0 ? right / total : 0;
  });
}
