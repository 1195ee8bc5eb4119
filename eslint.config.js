import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "cairn-data/**", "ui/dist/**", ".scratch/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["ui/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // The example project's stages are plain Node scripts.
    files: ["examples/**/*.mjs"],
    languageOptions: { globals: { console: "readonly", process: "readonly", Buffer: "readonly", TextEncoder: "readonly" } },
  },
  {
    // Tests read arbitrary JSON responses; strict types matter at the product's module boundaries, not in assertions.
    files: ["**/*.test.ts", "**/*.test.tsx", "test/**", "**/test-support/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
