declare module 'asl-validator' {
  export default function validator(
    definition: unknown,
    options?: Record<string, unknown>,
  ): { isValid: boolean; errors: unknown[]; errorsText: (separator?: string) => string };
}
