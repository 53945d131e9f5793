/** @type {import('tailwindcss').Config} */
export default {
  content: ["./index.html", "./src/**/*.{ts,tsx}"],
  theme: {
    extend: {
      // Self-hosted (@fontsource-variable/inter): the same letters everywhere, no third-party font host.
      fontFamily: { sans: ['"Inter Variable"', "ui-sans-serif", "system-ui", "sans-serif"] },
      colors: {
        background: "#ffffff",
        foreground: "#0f172a",
        muted: { DEFAULT: "#f1f5f9", foreground: "#475569" },
        border: "#e2e8f0",
        primary: { DEFAULT: "#1d4ed8", foreground: "#ffffff" },
        destructive: { DEFAULT: "#b91c1c", foreground: "#ffffff" },
        ring: "#2563eb",
      },
    },
  },
  plugins: [],
};
