/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The console talks to the API at VITE_API_URL (see .env.development); a production build without
// it calls the origin that serves it (the API process itself), so it works at any host name.
export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true },
  preview: { port: 4173, strictPort: true },
  build: {
    outDir: "dist",
    sourcemap: true,
    rollupOptions: {
      output: {
        // Libraries change less often than the console: their own files stay cached across releases.
        manualChunks(id) {
          if (!id.includes("/node_modules/")) return undefined;
          if (/\/node_modules\/(react|react-dom|react-router|scheduler)\//.test(id)) return "react";
          if (/\/node_modules\/(zod|react-hook-form|@hookform)\//.test(id)) return "forms";
          if (id.includes("/node_modules/chart.js/") || id.includes("/node_modules/react-chartjs-2/")) return undefined;
          return "vendor";
        },
      },
      onwarn(warning, warn) {
        // zod 4 has comments Rollup cannot place; it drops them harmlessly. Keep the log readable.
        if (warning.code === "INVALID_ANNOTATION" && warning.id?.includes("/node_modules/zod/")) return;
        warn(warning);
      },
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
    // Machines running CI are shared: a page test that renders the whole app can take seconds.
    testTimeout: 20_000,
    unstubGlobals: true,
    unstubEnvs: true,
  },
});
