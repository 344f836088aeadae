/* docgen web app: exact decimals, the checker's rule for amounts and counts, and the form's expressions
   worked out from the tree docgen/form/expression.py emits (to_json). The page evaluates the very same
   tree validate does, with the same results: no binary floats (BigInt scaled decimals), 60 significant
   digits rounded half up as Python's decimal context there, ÷ 0 and a missing operand give no value. */
"use strict";
(function () {
  // ------------------------------------------------------------------ exact decimals: value = n / 10^s
  const PREC = 60n;
  const TEN = 10n;
  const pow10 = (k) => TEN ** BigInt(k);
  const abs = (n) => (n < 0n ? -n : n);
  const digits = (n) => (n === 0n ? 1 : abs(n).toString().length);
  const dec = (n, s = 0) => (s < 0 ? { n: n * pow10(-s), s: 0 } : { n, s });

  /** Rounded to 60 significant digits, half away from zero (Python's ROUND_HALF_UP). */
  function context(x) {
    const extra = digits(x.n) - Number(PREC);
    if (extra <= 0) return x;
    const p = pow10(extra);
    let q = abs(x.n) / p;
    if (2n * (abs(x.n) % p) >= p) q += 1n;
    return dec(x.n < 0n ? -q : q, x.s - extra);
  }
  function align(a, b) {
    const s = Math.max(a.s, b.s);
    return [a.n * pow10(s - a.s), b.n * pow10(s - b.s), s];
  }
  const add = (a, b) => { const [x, y, s] = align(a, b); return context(dec(x + y, s)); };
  const sub = (a, b) => { const [x, y, s] = align(a, b); return context(dec(x - y, s)); };
  const mul = (a, b) => context(dec(a.n * b.n, a.s + b.s));
  const cmp = (a, b) => { const [x, y] = align(a, b); return x < y ? -1 : x > y ? 1 : 0; };
  const neg = (a) => dec(-a.n, a.s);
  const isZero = (a) => a.n === 0n;
  /** a ÷ b to 60 significant digits, half up (b ≠ 0). */
  function div(a, b) {
    const sign = (a.n < 0n) !== (b.n < 0n) ? -1n : 1n;
    const num = abs(a.n) * pow10(b.s);
    const den = abs(b.n) * pow10(a.s);
    if (num === 0n) return dec(0n);
    const scale = Math.max(0, Number(PREC) + 2 + digits(den) - digits(num));
    const t = num * pow10(scale);
    let q = t / den;
    // the digits beyond 60 dropped half up (what t % den leaves below them cannot turn a half into less)
    const extra = digits(q) - Number(PREC);
    let s = scale;
    if (extra > 0) {
      const p = pow10(extra);
      const dropped = q % p;
      q /= p;
      if (2n * dropped >= p) q += 1n;
      s -= extra;
    }
    return dec(sign * q, s);
  }
  /** Quantized to `places` decimals, half away from zero (round(x, n) and the 0.00 of amounts). */
  function quantize(a, places) {
    if (a.s <= places) return dec(a.n * pow10(places - a.s), places);
    const p = pow10(a.s - places);
    let q = abs(a.n) / p;
    if (2n * (abs(a.n) % p) >= p) q += 1n;
    return dec(a.n < 0n ? -q : q, places);
  }
  /** A plain decimal text ("12.5", "40") → a decimal. */
  function parse(text) {
    const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
    if (!m) return null;
    const frac = m[3] || "";
    const n = BigInt((m[2] || "0") + frac);
    return dec(m[1] ? -n : n, frac.length);
  }
  /** Without trailing zeros, no exponent: 30 → "30", 12.50 → "12.5" (models/values.format_plain, whose
      normalize() rounds to Python's default 28 significant digits, half to even: 125/3 → 41.66…667). */
  function plain(a) {
    let { n, s } = a;
    const extra = digits(n) - 28;
    if (extra > 0) {
      const p = pow10(extra);
      const dropped = abs(n) % p;
      let q = abs(n) / p;
      if (2n * dropped > p || (2n * dropped === p && q % 2n === 1n)) q += 1n;
      n = n < 0n ? -q : q;
      s -= extra;
      if (s < 0) { n *= pow10(-s); s = 0; }
    }
    while (s > 0 && n % TEN === 0n) { n /= TEN; s -= 1; }
    const text = abs(n).toString().padStart(s + 1, "0");
    const body = s ? `${text.slice(0, -s)}.${text.slice(-s)}` : text;
    return (n < 0n ? "-" : "") + body;
  }
  /** An amount as every output prints it: two decimals, half up (standard/text.format_amount). */
  function fixed2(a) {
    const q = quantize(a, 2);
    const text = abs(q.n).toString().padStart(3, "0");
    return (q.n < 0n ? "-" : "") + `${text.slice(0, -2)}.${text.slice(-2)}`;
  }

  // ------------------------------------------------------------------ the checker's rule (models/values.py)
  // Full-width digits, point and signs read as ASCII (an input method's １２．５); a comma is refused
  // ("60,5" is not 605); an amount has at most two decimals (trailing zeros aside), is never negative,
  // and at most the stated limit; a count is a whole number from 1; "_" is read as Python reads it
  // (anywhere in an amount, between digits in a count); at most 100 characters.
  const WIDE = { "０": "0", "１": "1", "２": "2", "３": "3", "４": "4", "５": "5", "６": "6", "７": "7", "８": "8", "９": "9",
    "．": ".", "－": "-", "＋": "+", "\u2212": "-" };
  const narrow = (text) => String(text ?? "").trim().replace(/[０-９．－＋\u2212]/g, (c) => WIDE[c]);
  const AMOUNT = /^([-+]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([-+]?\d+))?$/;
  const COUNT = /^\+?(\d+(?:_\d+)*)(?:\.0+)?$/;  // pydantic's integer: "1_000" and "4.0", never "1__0" or "_1"
  const MAX_DIGITS = 100;
  const limits = { amount: dec(1000000000n), count: 100000n };
  /** The stated limits (docgen/io/limits.py), as the page's form data gives them. */
  function configure(given) {
    if (given && given.amount_max) limits.amount = parse(given.amount_max);
    if (given && given.count_max) limits.count = BigInt(given.count_max);
  }

  function amount(text) {
    const t = narrow(text);
    if (!t || t.length > MAX_DIGITS || /[,，]/.test(t)) return null;
    const m = AMOUNT.exec(t.replace(/_/g, ""));  // Python's Decimal ignores every "_" between its characters
    if (!m) return null;
    const whole = m[2] || "";
    const frac = m[3] || m[4] || "";
    const exp = Number(m[5] || "0");
    if (!Number.isSafeInteger(exp)) return null;
    let value = dec(BigInt((whole || "0") + frac), frac.length);
    if (value.n === 0n) return dec(0n, 2);  // -0, 0e-400: zero
    if (exp > MAX_DIGITS + 20) return null;  // a non-zero value beyond the limit whatever its digits
    if (exp < -(MAX_DIGITS + 2)) return null;  // a non-zero value with more than two decimals
    value = exp >= 0 ? dec(value.n * pow10(exp), value.s) : dec(value.n, value.s - exp);
    if (m[1] === "-") return null;  // negative
    if (cmp(quantize(value, 2), value) !== 0) return null;  // more than two decimals
    if (cmp(value, limits.amount) > 0) return null;
    return quantize(value, 2);
  }
  function count(text) {
    const t = narrow(text);
    if (!t || t.length > MAX_DIGITS) return null;
    const m = COUNT.exec(t);
    if (!m) return null;
    const n = BigInt(m[1].replace(/_/g, ""));
    return n >= 1n && n <= limits.count ? dec(n) : null;
  }

  // ------------------------------------------------------------------ expressions (expression.py's tree)
  const BINDING = { or: 1, and: 2, "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3, "+": 4, "-": 4, "*": 5, "/": 5 };
  const COMPARE = { "==": (c) => c === 0, "!=": (c) => c !== 0, "<": (c) => c < 0, "<=": (c) => c <= 0, ">": (c) => c > 0, ">=": (c) => c >= 0 };
  const isDec = (v) => v !== null && typeof v === "object";

  /**
   * A row's scope: value(key) → a decimal or null (a typed value read by its column's rule), formula(key) →
   * the tree of a computed key or null, children(rows) → the sub-rows' scopes.
   */
  function evaluate(node, scope, problems = []) {
    if ("num" in node) return parse(node.num);
    if ("ref" in node) {
      const formula = scope.formula(node.ref);
      if (formula) return evaluate(formula, scope, problems);
      const value = scope.value(node.ref);
      if (value === null || value === undefined) problems.push({ code: "missing-operand", pos: node.pos, key: node.ref });
      return value ?? null;
    }
    if ("sum" in node) {
      let total = dec(0n);
      for (const child of scope.children(node.sum[0])) {
        const part = evaluate({ ref: node.sum[1], pos: node.pos }, child, problems);
        if (!isDec(part)) return null;
        total = add(total, part);
      }
      return total;
    }
    if (node.op === "round") {
      const arg = evaluate(node.args[0], scope, problems);
      return isDec(arg) ? quantize(arg, node.places) : null;
    }
    if (node.op === "neg") {
      const arg = evaluate(node.args[0], scope, problems);
      return isDec(arg) ? neg(arg) : null;
    }
    const left = evaluate(node.args[0], scope, problems);
    const right = evaluate(node.args[1], scope, problems);
    if (node.op === "and" || node.op === "or") {
      if (left === null || right === null) return null;
      return node.op === "and" ? Boolean(truthy(left) && truthy(right)) : Boolean(truthy(left) || truthy(right));
    }
    if (!isDec(left) || !isDec(right)) return null;
    if (node.op === "/" && isZero(right)) {
      problems.push({ code: "division-by-zero", pos: node.pos });
      return null;
    }
    if (node.op in COMPARE) return COMPARE[node.op](cmp(left, right));
    return { "+": add, "-": sub, "*": mul, "/": div }[node.op](left, right);
  }
  const truthy = (v) => (isDec(v) ? !isZero(v) : Boolean(v));

  /** The expression with the row's values put in, as validate's message shows the sum: 2×40 + 3×10. */
  function working(node, scope) {
    if ("num" in node) return plain(parse(node.num));
    if ("ref" in node) {
      const formula = scope.formula(node.ref);
      if (formula) return working(formula, scope);
      const value = scope.value(node.ref);
      return isDec(value) ? plain(value) : "（空）";
    }
    if ("sum" in node) return scope.children(node.sum[0]).map((c) => working({ ref: node.sum[1], pos: node.pos }, c)).join(" + ");
    if (node.op === "round") return `round(${working(node.args[0], scope)}, ${node.places})`;
    if (node.op === "neg") return `-${wrapped(node.args[0], scope, 6)}`;
    const power = BINDING[node.op];
    const symbol = { "*": "×", "/": "÷" }[node.op];
    const left = wrapped(node.args[0], scope, power);
    const right = wrapped(node.args[1], scope, power + 1);
    return symbol ? `${left}${symbol}${right}` : `${left} ${node.op} ${right}`;
  }
  function wrapped(node, scope, power) {
    const text = working(node, scope);
    const binary = "op" in node && node.op !== "round" && node.op !== "neg";
    return binary && BINDING[node.op] < power ? `(${text})` : text;
  }

  /** A value as messages print it: 80, 12.5, 是/否, （空）. */
  function shown(value) {
    if (value === null || value === undefined) return "（空）";
    if (typeof value === "boolean") return value ? "是" : "否";
    return plain(value);
  }

  /** A message template (text and {expr}/{expr|working} fields, as formdata.py splits it) filled in a row. */
  function fill(parts, scope) {
    return (parts || []).map((p) => (typeof p === "string" ? p : p.working ? working(p.expr, scope) : shown(evaluate(p.expr, scope)))).join("");
  }

  window.docgen = Object.assign(window.docgen || {}, {
    expr: { evaluate, working, shown, fill, amount, count, plain, fixed2, parse, add, cmp, dec, configure },
  });
})();
