export type Activation = 'relu' | 'gelu' | 'none';

/** erf's rational approximation of Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7), the one tfjs's Erf kernels use. */
const ERF_P = 0.3275911;
const ERF_A = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429];

/**
 * WGSL functions `act(z)` and `actGrad(z)` (the derivative) of one activation, on `type` (f32 or
 * vec4<f32>: WGSL's builtins work per component, so one text serves both). GELU is the exact one,
 * z·Φ(z), computed as (z·½)·(erf(z/√2) + 1) like ops.ts's composition; its derivative is
 * Φ(z) + z·φ(z). ReLU's derivative at 0 is 0, as tfjs's.
 */
export function activationWgsl(activation: Activation, type: string): string {
  const one = `${type}(1.0)`;
  const zero = `${type}(0.0)`;
  switch (activation) {
    case 'none':
      return `
        fn act(z : ${type}) -> ${type} { return z; }
        fn actGrad(z : ${type}) -> ${type} { return ${one}; }`;
    case 'relu':
      return `
        fn act(z : ${type}) -> ${type} { return max(z, ${zero}); }
        fn actGrad(z : ${type}) -> ${type} { return select(${zero}, ${one}, z > ${zero}); }`;
    case 'gelu': {
      const [a1, a2, a3, a4, a5] = ERF_A;
      return `
        fn erfApprox(v : ${type}) -> ${type} {
          let u = abs(v);
          let t = ${one} / (${one} + ${ERF_P} * u);
          let poly = t * (${a1} + t * (${a2} + t * (${a3} + t * (${a4} + t * ${a5}))));
          return sign(v) * (${one} - poly * exp(-u * u));
        }
        fn act(z : ${type}) -> ${type} { return (z * 0.5) * (erfApprox(z * ${Math.SQRT1_2}) + ${one}); }
        fn actGrad(z : ${type}) -> ${type} {
          return 0.5 * (erfApprox(z * ${Math.SQRT1_2}) + ${one}) + z * (${1 / Math.sqrt(2 * Math.PI)} * exp(-0.5 * z * z));
        }`;
    }
  }
}
