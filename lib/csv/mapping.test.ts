import { describe, expect, it } from 'vitest';
import { mappingToStart, namesCreatedColumn, suggestCsvMapping } from './mapping';

describe('suggestCsvMapping in the languages CRM exports are headed in', () => {
  const suggested = (columns: string[]) => {
    const { createdColumn, ownerColumn, leadSourceColumn } = suggestCsvMapping(columns, {});
    return { createdColumn, ownerColumn, leadSourceColumn };
  };

  it('suggests the created date, owner and lead source of a German, French or Japanese export', () => {
    expect(suggested(['Lead-ID', 'Vorname', 'Nachname', 'Firma', 'Erstellt am', 'Lead-Inhaber', 'Lead-Quelle', 'Lead-Status'])).toEqual({
      createdColumn: 'Erstellt am',
      ownerColumn: 'Lead-Inhaber',
      leadSourceColumn: 'Lead-Quelle',
    });
    expect(suggested(['Nom', 'Société', 'Date de création', 'Propriétaire de la piste', 'Origine de la piste'])).toEqual({
      createdColumn: 'Date de création',
      ownerColumn: 'Propriétaire de la piste',
      leadSourceColumn: 'Origine de la piste',
    });
    expect(suggested(['リードID', '会社名', '作成日', 'リード所有者', 'リードソース', '状況'])).toEqual({ createdColumn: '作成日', ownerColumn: 'リード所有者', leadSourceColumn: 'リードソース' });
  });

  it('reads a name whatever its case, accents, spacing or punctuation', () => {
    expect(suggested(['FECHA DE CREACION', 'propietario_del_candidato', 'Origen del candidato'])).toEqual({
      createdColumn: 'FECHA DE CREACION',
      ownerColumn: 'propietario_del_candidato',
      leadSourceColumn: 'Origen del candidato',
    });
    for (const column of ['Erstellungsdatum', 'erstelldatum', 'Data de criação', 'Data di creazione', 'date de creation', '作成日時', '创建日期', 'Дата создания', 'created_at', 'CreatedDate', 'Create Date']) {
      expect(namesCreatedColumn(column), column).toBe(true);
    }
    for (const column of ['Letzte Aktivität', 'Date de clôture', '最終活動日', 'Company_Founded_Date__c', '', '—']) expect(namesCreatedColumn(column), column).toBe(false);
  });

  it('still suggests no owner id or number, and no bare source, in any language', () => {
    expect(suggested(['OwnerId', 'Owner #', 'Source', 'Quelle', 'ソース', 'Источник', 'Origine', 'Origen', 'Origem'])).toEqual({
      createdColumn: null,
      ownerColumn: null,
      leadSourceColumn: null,
    });
    expect(suggested(['Owner #', 'Lead Owner']).ownerColumn).toBe('Lead Owner');
  });
});

describe('mappingToStart: the stored import’s outcome rule carried over to the next file', () => {
  const suggestion = { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: { field: 'Converted', positiveValues: ['1'] } };
  const stored = { field: 'Status', positiveValues: ['Won'], openValues: ['Open', 'Working'] };

  it('starts from the stored rule, its values included, when the file has its column under the same header', () => {
    expect(mappingToStart(suggestion, ['id', 'Status', 'Converted'], stored)).toEqual({ mapping: { ...suggestion, outcome: stored }, carried: true });
  });

  it('keeps the suggestion when the file has no such column, or nothing was stored with an outcome', () => {
    expect(mappingToStart(suggestion, ['id', 'status', 'Converted'], stored)).toEqual({ mapping: suggestion, carried: false });
    expect(mappingToStart(suggestion, ['id', 'Status'], null)).toEqual({ mapping: suggestion, carried: false });
  });
});
